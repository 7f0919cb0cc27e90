"""core/api_key.py: where the write key comes from, in the three ways ATLAS_API_KEY can be given."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.api_key import ensure_api_key, read_api_key
from core.settings import Settings


def settings_from_env(monkeypatch: pytest.MonkeyPatch, state_dir: Path, key: str | None) -> Settings:
    """Settings as `atlas serve` reads them: ATLAS_API_KEY from the environment, or unset."""
    if key is None:
        monkeypatch.delenv("ATLAS_API_KEY", raising=False)
    else:
        monkeypatch.setenv("ATLAS_API_KEY", key)
    return Settings(state_dir=state_dir, _env_file=None)


def test_a_key_in_the_environment_is_the_key_and_no_file_is_read_or_made(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "api-key").write_text("the-file-key\n")
    settings = settings_from_env(monkeypatch, tmp_path, " the-env-key ")
    assert read_api_key(settings) == "the-env-key"
    assert ensure_api_key(settings) == "the-env-key"
    assert (tmp_path / "api-key").read_text() == "the-file-key\n"


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_key_in_the_environment_disables_writes_and_makes_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    (tmp_path / "api-key").write_text("a-key-left-from-before\n")  # ignored: the variable wins
    settings = settings_from_env(monkeypatch, tmp_path / "fresh", value)
    assert ensure_api_key(settings) is None
    assert read_api_key(settings) is None
    assert not (tmp_path / "fresh").exists()
    settings = settings_from_env(monkeypatch, tmp_path, value)
    assert ensure_api_key(settings) is None and read_api_key(settings) is None


def test_without_the_variable_a_key_is_made_once_in_a_file_only_its_owner_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = settings_from_env(monkeypatch, tmp_path / "state", None)
    assert read_api_key(settings) is None
    key = ensure_api_key(settings)
    assert key is not None and len(key) >= 32
    assert stat.S_IMODE(settings.api_key_file.stat().st_mode) == 0o600
    assert settings.api_key_file.read_text() == key + "\n"
    assert read_api_key(settings) == key
    assert ensure_api_key(settings) == key  # the same key on the next start


def test_without_the_variable_an_unwritable_state_folder_disables_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Docker image's case: `/app/.atlas` does not exist and the user may not make it."""

    def refused(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    settings = settings_from_env(monkeypatch, tmp_path / "app" / ".atlas", None)
    monkeypatch.setattr(Path, "mkdir", refused)  # as a non-root user in a root-owned folder
    assert ensure_api_key(settings) is None
    assert read_api_key(settings) is None


def test_without_the_variable_a_state_folder_below_a_file_disables_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")  # no folder can be made below a file, not even by root
    settings = settings_from_env(monkeypatch, blocker / "state", None)
    assert ensure_api_key(settings) is None
    assert read_api_key(settings) is None
