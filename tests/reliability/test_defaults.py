"""Safe defaults: Neo4j and the API bind loopback, Neo4j asks for a password, secret files are 0600,
and no secret appears in logs or error messages."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from api.app import create_app
from core.api_key import ensure_api_key
from core.db import Database, open_driver, resolve_connection
from core.errors import ConfigurationError
from core.settings import Settings
from neo4j_local import server as server_module
from neo4j_local.server import LocalNeo4j, find_java, free_port, resolve_jars

ATLAS = Path(sys.executable).with_name("atlas")


def listening_addresses(pid: int) -> set[str]:
    process = psutil.Process(pid)
    return {c.laddr.ip for c in process.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1, as Java reports IPv4 sockets
    return (mapped or ip).is_loopback


def non_loopback_addresses() -> list[str]:
    return [
        address.address
        for addresses in psutil.net_if_addrs().values()
        for address in addresses
        if address.family == socket.AF_INET and not is_loopback(address.address)
    ]


def test_neo4j_listens_on_loopback_only(neo4j_server: LocalNeo4j) -> None:
    pid = neo4j_server.pid()
    assert pid is not None
    addresses = listening_addresses(pid)
    assert addresses, "Neo4j listens nowhere?"
    assert all(is_loopback(a) for a in addresses), addresses


def test_neo4j_cannot_be_reached_on_the_machines_other_addresses(neo4j_server: LocalNeo4j) -> None:
    others = non_loopback_addresses()
    if not others:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for address in others:
        for port in (neo4j_server.bolt_port, neo4j_server.http_port):
            with socket.socket() as sock:
                sock.settimeout(2)
                assert sock.connect_ex((address, port)) != 0, f"{address}:{port} accepted a connection"


def test_neo4j_refuses_a_wrong_password_without_echoing_it(neo4j_server: LocalNeo4j) -> None:
    # One attempt only: three failures in a row would lock the user out for the other tests.
    wrong = "wrong-" + neo4j_server.password()[::-1]
    with (
        GraphDatabase.driver(neo4j_server.bolt_uri, auth=("neo4j", wrong)) as driver,
        pytest.raises(AuthError) as raised,
    ):
        driver.verify_connectivity()
    assert wrong not in str(raised.value)
    assert neo4j_server.password() not in str(raised.value)


def test_neo4j_refuses_a_connection_without_credentials(neo4j_server: LocalNeo4j) -> None:
    with GraphDatabase.driver(neo4j_server.bolt_uri, auth=None) as driver, pytest.raises(AuthError):
        driver.verify_connectivity()


def test_the_password_file_is_readable_by_its_owner_only(neo4j_server: LocalNeo4j) -> None:
    assert stat.S_IMODE(neo4j_server.password_file.stat().st_mode) == 0o600


def test_the_api_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", _env_file=None)
    key = ensure_api_key(settings)
    assert stat.S_IMODE(settings.api_key_file.stat().st_mode) == 0o600
    assert settings.api_key_file.read_text().strip() == key


def test_the_api_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ATLAS_API_HOST", "ATLAS_API_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None).api_host == "127.0.0.1"


def test_the_server_config_asks_for_auth_and_loopback(neo4j_server: LocalNeo4j) -> None:
    conf = dict(
        line.split("=", 1)
        for line in (neo4j_server.home / "conf" / "neo4j.conf").read_text().splitlines()
        if "=" in line
    )
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.default_listen_address"] == "127.0.0.1"
    for key in ("server.bolt.listen_address", "server.http.listen_address"):
        assert conf[key].startswith("127.0.0.1:")
    assert conf["server.https.enabled"] == "false"


def test_the_password_is_in_no_neo4j_log(neo4j_server: LocalNeo4j) -> None:
    logs = list((neo4j_server.home / "logs").glob("*"))
    assert logs
    password = neo4j_server.password()
    for log in logs:
        assert password not in log.read_text(errors="replace"), log


def test_the_connection_and_settings_never_show_the_password(settings: Settings) -> None:
    connection = resolve_connection(settings)
    assert settings.neo4j_password is not None
    assert settings.neo4j_password not in repr(connection)
    assert settings.neo4j_password not in repr(settings)


def test_a_wrong_password_is_a_clear_error_without_the_password(neo4j_server: LocalNeo4j) -> None:
    """Through Database, as the CLI and API use it: a ConfigurationError naming the problem."""
    wrong = "not-the-password-" + "x" * 8
    db = Database(open_driver(resolve_connection(Settings(
        neo4j_uri=neo4j_server.bolt_uri, neo4j_user="curator", neo4j_password=wrong, _env_file=None
    )), retry_seconds=1))  # fmt: skip
    try:
        with pytest.raises(ConfigurationError) as raised:
            db.read("RETURN 1")
    finally:
        db.driver.close()
    message = str(raised.value)
    assert "refused the user name or password" in message
    assert wrong not in message


def test_the_cli_with_a_wrong_password_exits_3_with_a_clear_error_and_no_secret(
    neo4j_server: LocalNeo4j, tmp_path: Path
) -> None:
    wrong = "Wr0ng-Secret-" + "z" * 10
    data = tmp_path / "g.jsonl"
    data.write_text('{"kind": "entity", "type": "concept", "name": "A"}\n')
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "curator",  # not `neo4j`: failures lock a user out for a while
        "NEO4J_PASSWORD": wrong,
    }
    for command in (["ingest", str(data)], ["stats"]):
        result = subprocess.run(
            [str(ATLAS), *command], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        output = result.stdout + result.stderr
        assert result.returncode == 3, output
        assert "Traceback" not in output and "AuthError" not in output
        assert "refused" in output
        assert wrong not in output
        assert neo4j_server.password() not in output


def test_the_api_answers_503_without_secrets_when_the_password_is_wrong(
    neo4j_server: LocalNeo4j, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "api-wrong-" + "q" * 12
    settings = Settings(
        neo4j_uri=neo4j_server.bolt_uri,
        neo4j_user="curator",
        neo4j_password=wrong,
        state_dir=tmp_path,
        _env_file=None,
    )
    with caplog.at_level(logging.DEBUG), TestClient(create_app(settings)) as client:
        answer = client.get("/entities/concept:x")
        page = client.get("/e/concept:x", headers={"accept": "text/html"})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "not_configured"
    assert page.status_code == 503
    for text in (answer.text, page.text, caplog.text):
        assert wrong not in text


@pytest.mark.neo4j  # the driver retries a closed port for seconds before the API answers
def test_the_api_answers_503_without_secrets_when_neo4j_is_unreachable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "unreachable-secret-" + "w" * 8
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}", neo4j_password=secret, state_dir=tmp_path, _env_file=None
    )
    with caplog.at_level(logging.DEBUG), TestClient(create_app(settings)) as client:
        answer = client.get("/entities/concept:x")
        health = client.get("/health")
    assert (answer.status_code, health.status_code) == (503, 503)
    assert "Neo4j is not answering" in answer.json()["error"]["message"]
    for text in (answer.text, health.text, caplog.text):
        assert secret not in text


@pytest.mark.neo4j  # runs Neo4j's admin tool from the jar cache
def test_a_generated_password_starting_with_a_dash_cannot_break_the_first_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """token_urlsafe starts with '-' once in 64 draws; the admin tool would read it as an option."""
    monkeypatch.setattr(server_module.secrets, "token_urlsafe", lambda n: "-" + "d" * 31)
    server = LocalNeo4j.disposable(tmp_path)
    server._write_conf()
    server._ensure_password(find_java(), resolve_jars(server.cache_dir))
    assert not server.password().startswith("-")
    assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600


def test_repeated_wrong_passwords_keep_giving_the_clear_error(neo4j_server: LocalNeo4j) -> None:
    """Neo4j rate-limits a user after a few failures (a different error code): still the same message."""
    settings = Settings(
        neo4j_uri=neo4j_server.bolt_uri, neo4j_user="intruder", neo4j_password="guess", _env_file=None
    )
    db = Database(open_driver(resolve_connection(settings), retry_seconds=1))
    try:
        for _ in range(5):
            with pytest.raises(ConfigurationError, match="refused the user name or password"):
                db.read("RETURN 1")
    finally:
        db.driver.close()
