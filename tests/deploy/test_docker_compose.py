"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine); check what can be checked."""

import ast
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def dockerfile_copies() -> set[str]:
    """The sources of the Dockerfile's COPY lines (the last word of each is the destination)."""
    sources: set[str] = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"]:
            sources.update(word.rstrip("/") for word in words[1:-1] if not word.startswith("--"))
    return sources


def local_packages_imported_from(module: str) -> set[str]:
    """The repository's top-level packages that `module` imports, directly or through each other."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = ROOT / (name.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / name.replace(".", "/") / "__init__.py"
        if name in seen or not path.exists():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                todo.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                todo.append(node.module)
                todo.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return {name.split(".")[0] for name in seen}


def test_neo4j_service_is_the_pinned_release_line_with_a_healthcheck_and_a_volume() -> None:
    neo4j = compose()["services"]["neo4j"]
    pinned = re.search(r"<neo4j.version>(\d+\.\d+)\.", (ROOT / "neo4j_local" / "pom.xml").read_text())
    assert pinned is not None
    assert neo4j["image"] == f"neo4j:{pinned.group(1)}-community"
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert "neo4j-data:/data" in neo4j["volumes"]
    assert "${NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]


def test_api_starts_once_neo4j_is_healthy_and_reads_its_address_from_the_environment() -> None:
    api = compose()["services"]["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert (ROOT / api["build"] / "Dockerfile").exists()


def test_every_published_port_is_bound_to_loopback() -> None:
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="the docker compose CLI is not installed",
)
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("NEO4J_PASSWORD=example-password\n")
    result = subprocess.run(
        [
            "docker",
            "compose",
            "--env-file",
            str(env),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_copies_every_package_the_app_imports_and_every_packaged_folder() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    entry = pyproject["project"]["scripts"]["atlas"].split(":")[0]
    imported = local_packages_imported_from(entry)
    assert {"core", "api", "cli", "ingest"} <= imported, imported  # the walk itself works
    included = {
        pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    needed = imported | {name for name in included if (ROOT / name).is_dir()} | {"cypher"}
    copied = dockerfile_copies()
    assert needed <= copied, f"the Dockerfile does not COPY {sorted(needed - copied)}"
    assert "requirements.lock" in copied, "the image must install the locked versions"
    missing = sorted(source for source in copied if not (ROOT / source).exists())
    assert not missing, f"the Dockerfile copies what the repository does not have: {missing}"


def test_the_seed_folder_compose_loads_is_in_the_image() -> None:
    command = " ".join(compose()["services"]["api"]["command"])
    assert "atlas ingest seeds" in command
    assert "seeds" in dockerfile_copies()


def test_the_image_runs_as_a_user_with_a_state_folder_of_its_own() -> None:
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines() if line.strip()]
    users = [words[1] for words in lines if words[0] == "USER"]
    assert users and users[-1] != "root"
    env = " ".join(" ".join(words[1:]) for words in lines if words[0] == "ENV")
    state = re.search(r"ATLAS_STATE_DIR=(\S+)", env)
    assert state is not None and state.group(1).startswith(f"/home/{users[-1]}/"), env
    for variable in ("HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1"):
        assert variable in env
    # An empty key from compose disables writes (core/api_key.py), as .env.example says.
    assert compose()["services"]["api"]["environment"]["ATLAS_API_KEY"] == "${ATLAS_API_KEY:-}"
    assert "empty to disable writes" in (ROOT / ".env.example").read_text()
