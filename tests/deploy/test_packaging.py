"""What `pip install .` (the Docker image) gets: a wheel without packaging warnings that carries the
queries, templates and other data files; and a lock that pins every dependency pyproject.toml names."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = ROOT / "requirements.lock"


def packaged_folders() -> list[str]:
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return [name for name in (pattern.rstrip("*") for pattern in patterns) if (ROOT / name).is_dir()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The project's wheel, built from a copy of its sources with the venv's (locked) setuptools,
    and what the build printed."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in packaged_folders():
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v", str(source)],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        # Byte-compiling turned off in the environment makes setuptools say so: not our warning.
        env={key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"},
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (found,) = out.glob("atlas_kg-*.whl")
    return found, build.stdout + build.stderr


def test_building_the_package_prints_no_setuptools_warnings(wheel: tuple[Path, str]) -> None:
    _, printed = wheel
    # setuptools' warnings are classes (SetuptoolsDeprecationWarning, BuildBackendWarning, ...);
    # distutils' "warning: byte-compiling is disabled" only echoes PYTHONDONTWRITEBYTECODE.
    warnings = [
        line
        for line in printed.splitlines()
        if re.search(r"[A-Z]\w*Warning\b", line) or re.search(r"deprecat", line, re.I)
    ]
    assert not warnings, "\n".join(warnings)


def test_the_wheel_carries_every_data_file_of_its_packages(wheel: tuple[Path, str]) -> None:
    path, _ = wheel
    shipped = set(zipfile.ZipFile(path).namelist())
    data = {
        file.relative_to(ROOT).as_posix()
        for name in packaged_folders()
        for file in (ROOT / name).rglob("*")
        if file.is_file() and file.suffix not in {".py", ".pyc"} and "__pycache__" not in file.parts
    }
    assert {"cypher/entity.cypher", "cypher/schema_read.cypher", "api/templates/entity.html"} <= data
    assert data <= shipped, f"declare in [tool.setuptools.package-data]: {sorted(data - shipped)}"


def test_an_installed_package_finds_its_queries_templates_and_static_files(
    wheel: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = wheel
    site = tmp_path / "site"
    zipfile.ZipFile(path).extractall(site)  # a pure-Python wheel, unpacked, is its installed layout
    probe = (
        "from pathlib import Path; import api.app, core.settings; from core.queries import Queries; "
        "s = core.settings.Settings(_env_file=None); Queries(s.cypher_dir); "
        "assert s.cypher_dir.is_relative_to(Path(core.settings.__file__).parents[1]), s.cypher_dir; "
        "assert (api.app.HERE / 'templates' / 'entity.html').is_file(); "
        "assert (api.app.HERE / 'static' / 'atlas.css').is_file(); print(core.settings.__file__)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATLAS_")}
    env["PYTHONPATH"] = str(site)  # ahead of the editable install of the checkout
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(site / "core" / "settings.py")


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line):
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def test_the_lock_pins_every_dependency_of_pyproject_within_its_range() -> None:
    pins = locked()
    wanted = [
        *PYPROJECT["project"]["dependencies"],
        *(req for extra in PYPROJECT["project"]["optional-dependencies"].values() for req in extra),
        *PYPROJECT["build-system"]["requires"],
    ]
    stale = []
    for text in wanted:
        requirement = Requirement(text)
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None or not requirement.specifier.contains(pin, prereleases=True):
            stale.append(f"{requirement} (locked: {pin})")
    assert not stale, f"requirements.lock is out of date, run `make lock`: {stale}"
