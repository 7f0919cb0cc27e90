"""`atlas serve` the way the Docker image runs it, without Docker: a non-root user whose working
folder it cannot write, ATLAS_API_KEY empty (docker compose's default), Neo4j given by NEO4J_URI.

It must start, answer /health, and refuse writes with "writes are disabled" rather than crash on
the key file it cannot make. As root, the server drops to `nobody` with setpriv when that user can
run this venv's Python; where it cannot (a venv only root may enter), root itself runs it with the
state folder under /proc, where no one, root included, can create a folder.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from neo4j_local.server import free_port
from tests.servers import wait_until_healthy

NOBODY = 65534
STOP_SECONDS = 20


@functools.cache
def as_nobody() -> list[str] | None:
    """The command prefix that runs a program as `nobody`, when this process may and `nobody` can
    run this venv's Python; None otherwise."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return None
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import cli.main"],
        capture_output=True,
        cwd="/",
        timeout=60,
        check=False,
    )
    return prefix if probe.returncode == 0 else None


@dataclass
class Started:
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    workdir: Path
    state_dir: Path | None  # where the key file would go, when ATLAS_STATE_DIR is set

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def serve(settings: Settings, workdir: Path, log: Path, state_dir: Path | None) -> Started:
    prefix = as_nobody() or []
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "NEO4J_URI": str(settings.neo4j_uri),
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": str(settings.neo4j_password),
        "ATLAS_API_KEY": "",
    }
    if state_dir is not None:
        env["ATLAS_STATE_DIR"] = str(state_dir)
    atlas = Path(sys.executable).with_name("atlas")
    command = [str(atlas)] if atlas.exists() else [sys.executable, "-m", "cli"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*prefix, *command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
    return Started(f"http://127.0.0.1:{port}", process, log, workdir, state_dir)


def stop(started: Started) -> None:
    """SIGTERM to the server's process group, a bounded wait, SIGKILL if it hangs; then check that
    nothing of it is left."""
    process = started.process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)
            pytest.fail(f"atlas serve did not stop within {STOP_SECONDS} s of SIGTERM:\n{started.output()}")
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("a process of atlas serve's group was still running after it stopped")


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder like the image's /app: readable by everyone, writable by nobody but root. Made with
    tempfile rather than tmp_path, whose parents only root may enter."""
    folder = Path(tempfile.mkdtemp(prefix="atlas-container-"))
    (folder / "work").mkdir()
    (folder / "work").chmod(0o555)
    folder.chmod(0o755)
    yield folder / "work"
    (folder / "work").chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def unwritable_state_dir() -> Path | None:
    """None (the default `.atlas` under the working folder) where the server runs as a user who
    cannot write there; for root, a folder that cannot be made (mkdir and reads: ENOENT)."""
    if as_nobody() is not None or os.geteuid() != 0:
        return None
    return Path("/proc/atlas-state-cannot-be-made")


@pytest.mark.parametrize("state", ["unwritable", "writable"])
def test_atlas_serve_starts_as_the_container_does_and_refuses_writes(
    settings: Settings, workdir: Path, state: str
) -> None:
    if state == "unwritable":
        state_dir = unwritable_state_dir()
    else:  # the Dockerfile's ATLAS_STATE_DIR: a folder the user owns; the empty key still wins
        state_dir = workdir.parent / "state"
        state_dir.mkdir()
        state_dir.chmod(0o777)
    started = serve(settings, workdir, workdir.parent / "serve.log", state_dir)
    try:
        wait_until_healthy(
            started.base,
            exited=lambda: (
                None
                if started.process.poll() is None
                else f"exit code {started.process.returncode}:\n{started.output()}"
            ),
            timeout=120,
        )
        health = httpx.get(f"{started.base}/health", timeout=10)
        assert health.status_code == 200 and health.json()["neo4j"] is True, health.text

        write = httpx.post(
            f"{started.base}/decisions/dismiss",
            json={"a": "concept:a", "b": "concept:b", "why": "container start test"},
            headers={"X-API-Key": "any-key-at-all"},
            timeout=10,
        )
        assert write.status_code == 401, write.text
        assert "writes are disabled" in write.text
        assert "Writes are disabled" in started.output()
    finally:
        stop(started)
    assert started.process.returncode is not None
    assert "Traceback" not in started.output(), started.output()
    assert not (workdir / ".atlas").exists()
    if state_dir is not None:
        assert not (state_dir / "api-key").exists(), "an empty ATLAS_API_KEY must not make a key file"
