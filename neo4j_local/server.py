"""Resolve the pinned Neo4j Community jars with Maven and run the real server on loopback."""

from __future__ import annotations

import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigurationError
from core.settings import SERVER_INFO_FILE, Settings

POM = Path(__file__).with_name("pom.xml")
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
SUPPORTED_JAVA = (17, 21)
# Written before a bulk load stops the server, removed once the loaded database is complete: a
# server started while it is there throws away the half-loaded store (see discard_unfinished_bulk_load).
BULK_LOAD_MARKER = "bulk-load-in-progress"

# What the official `neo4j console` launcher passes to the JVM (the bootloader, not the server,
# reads these from neo4j.conf, so launching the entry point directly we pass them ourselves).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]


def pinned_version() -> str:
    """The Neo4j version pinned in pom.xml (the only place it is written)."""
    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", POM.read_text())
    if match is None:
        raise ConfigurationError(f"{POM} has no <neo4j.version>")
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def resolve_jars(cache_dir: Path, log: Callable[[str], None] = print) -> Path:
    """The folder of server jars for the pinned version, resolved with Maven on first use only."""
    lib = cache_dir / pinned_version() / "lib"
    if (lib / ".complete").exists():
        return lib
    if shutil.which("mvn") is None:
        raise ConfigurationError("Maven (mvn) is needed once to resolve the Neo4j jars")
    log(f"Resolving Neo4j {pinned_version()} jars with Maven into {lib} (first run only)...")
    staging = lib.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-Dmdep.prependGroupId=true",
            "-DincludeScope=runtime",
        ],
        check=True,
    )
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)  # a half-finished download is never taken for a complete one
    (lib / ".complete").touch()
    return lib


def find_java() -> str:
    """A Java that Neo4j 5.26 supports (17 or 21): JAVA_HOME, then PATH, then /usr/lib/jvm."""
    candidates = []
    if java_home := os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(java_home) / "bin" / "java"))
    if on_path := shutil.which("java"):
        candidates.append(on_path)
    for version in SUPPORTED_JAVA:
        candidates.extend(str(p / "bin" / "java") for p in sorted(Path("/usr/lib/jvm").glob(f"*{version}*")))
    for java in candidates:
        if Path(java).exists() and java_major_version(java) in SUPPORTED_JAVA:
            return java
    raise ConfigurationError("Neo4j 5.26 needs Java 17 or 21; none was found (set JAVA_HOME)")


def java_major_version(java: str) -> int | None:
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', result.stderr)
    return int(match.group(1)) if match else None


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel kills it if the test process dies, even by SIGKILL."""
    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


@dataclass
class LocalNeo4j:
    """A Neo4j server whose conf, data and logs live in `home` and that listens on loopback only."""

    home: Path
    password_file: Path
    cache_dir: Path
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "2g"
    pagecache: str = "2g"
    # How this object last started the server: a restart (a bulk load's) starts it the same way.
    dies_with_parent: bool = field(default=False, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalNeo4j:
        """The local server the settings describe: the one `atlas neo4j start` runs."""
        return cls(
            home=settings.neo4j_home,
            password_file=settings.password_file,
            cache_dir=settings.neo4j_cache_dir,
            bolt_port=settings.neo4j_bolt_port,
            http_port=settings.neo4j_http_port,
            heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache,
        )

    @classmethod
    def disposable(cls, home: Path, *, heap: str = "512m", pagecache: str = "128m") -> LocalNeo4j:
        """A throwaway server in `home` (for tests and benchmarks): data in `home/server`, its own
        password file beside it, free loopback ports, the shared jar cache. The caller starts, stops
        and deletes it."""
        return cls(
            home=home / "server",
            password_file=home / "password",
            cache_dir=Settings(_env_file=None).neo4j_cache_dir,
            bolt_port=free_port(),
            http_port=free_port(),
            heap=heap,
            pagecache=pagecache,
        )

    @property
    def info_file(self) -> Path:
        return self.home / SERVER_INFO_FILE

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    @property
    def browser_login_url(self) -> str:
        """Browser with its connect form filled in but for the password: Browser's `dbms` URL
        parameter carries the Bolt URL and the user, `preselectAuthMethod` the password login."""
        return f"{self.browser_url}?dbms=bolt://neo4j@127.0.0.1:{self.bolt_port}&preselectAuthMethod=NATIVE"

    def pid(self) -> int | None:
        """The server's pid if it is running, from the info file this class writes."""
        if not self.info_file.exists():
            return None
        pid = int(json.loads(self.info_file.read_text())["pid"])
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if ENTRY_POINT.encode() in cmdline else None

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def start(self, *, die_with_parent: bool = False, timeout: float = 180) -> None:
        """Start the server (a no-op if it already runs) and return once Bolt and HTTP answer."""
        if self.pid() is not None:
            self._adopt_running_ports()
            return
        self.discard_unfinished_bulk_load()
        for port in (self.bolt_port, self.http_port):
            if port_open(port):
                raise ConfigurationError(f"port {port} on 127.0.0.1 is already in use")
        lib = resolve_jars(self.cache_dir)
        java = find_java()
        self.dies_with_parent = die_with_parent
        self._write_conf()
        self._ensure_password(java, lib)
        self.console_log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            java,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-cp",
            f"{self.home / 'plugins'}/*:{self.home / 'conf'}:{lib}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        with self.console_log.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=not die_with_parent,
                preexec_fn=_die_with_parent if die_with_parent else None,
                env={
                    **os.environ,
                    "NEO4J_HOME": str(self.home),
                    "NEO4J_CONF": str(self.home / "conf"),
                },
            )
        self.info_file.write_text(
            json.dumps(
                {
                    "pid": process.pid,
                    "bolt_port": self.bolt_port,
                    "http_port": self.http_port,
                    "version": pinned_version(),
                }
            )
        )
        self._wait_until_serving(process, timeout)

    def stop(self, timeout: float = 60) -> bool:
        """Shut the server down cleanly (SIGTERM), killing it only if it hangs. False if not running."""
        pid = self.pid()
        if pid is None:
            self.info_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.pid() is not None:
            time.sleep(0.2)
        if self.pid() is not None:
            os.kill(pid, signal.SIGKILL)
            while self.pid() is not None:
                time.sleep(0.1)
        self.info_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would; for fault tests."""
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while self.pid() is not None:
                time.sleep(0.05)

    @property
    def bulk_load_marker(self) -> Path:
        return self.home / BULK_LOAD_MARKER

    def database_store(self, database: str) -> list[Path]:
        """The folders holding a database's store and transaction logs (the default layout)."""
        return [self.home / "data" / "databases" / database, self.home / "data" / "transactions" / database]

    def mark_bulk_load(self, database: str) -> None:
        """Say, before a bulk load stops the server, which database it replaces and who loads it."""
        partial = self.bulk_load_marker.with_suffix(".partial")
        partial.write_text(json.dumps({"database": database, "pid": os.getpid()}))
        partial.rename(self.bulk_load_marker)  # never seen half written

    def bulk_load_running(self) -> bool:
        """A bulk load is marked and the process that runs it is alive."""
        if not self.bulk_load_marker.exists():
            return False
        return Path(f"/proc/{self._bulk_load_marker()['pid']}").exists()

    def _bulk_load_marker(self) -> dict[str, Any]:
        try:
            marker: dict[str, Any] = json.loads(self.bulk_load_marker.read_text())
            return marker
        except (ValueError, OSError) as error:
            raise ConfigurationError(
                f"{self.bulk_load_marker} is unreadable ({error}): a bulk load was interrupted; delete "
                f"{self.home / 'data' / 'databases'}/<database> and the marker to start afresh"
            ) from error

    def discard_unfinished_bulk_load(self, *, even_while_loading: bool = False) -> str | None:
        """If a bulk load did not finish (its marker is still there) and the process that ran it is
        gone, delete the database it was loading, so that the server creates it again, empty, on
        start. The loading process itself restarts the server on its import without discarding it
        (or, failing, with `even_while_loading`). The database's name, or None."""
        if not self.bulk_load_marker.exists():
            return None
        marker = self._bulk_load_marker()
        if not even_while_loading and self.bulk_load_running():
            return None
        for folder in self.database_store(marker["database"]):
            shutil.rmtree(folder, ignore_errors=True)
        self.bulk_load_marker.unlink()
        return str(marker["database"])

    def admin_process(self, *arguments: str, heap: str = "1g") -> subprocess.Popen[str]:
        """`neo4j-admin ARGUMENTS` (org.neo4j.cli.AdminTool from the same jars) on this server's
        home and conf, its output in one pipe. The caller waits for it (or kills it)."""
        lib = resolve_jars(self.cache_dir)
        command = [
            find_java(),
            f"-Xmx{heap}",
            *JVM_FLAGS,
            "-cp",
            f"{self.home / 'conf'}:{lib}/*",
            ADMIN_TOOL,
            *arguments,
        ]
        return subprocess.Popen(
            command,
            cwd=self.home,  # the tool may write reports into its working directory
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            preexec_fn=_die_with_parent,  # an interrupted ingest leaves no import running
            env={**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")},
        )

    def _adopt_running_ports(self) -> None:
        info = json.loads(self.info_file.read_text())
        self.bolt_port, self.http_port = info["bolt_port"], info["http_port"]

    def _write_conf(self) -> None:
        for folder in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "server.directories.import": str(self.home / "import"),
            "dbms.usage_report.enabled": "false",
            "client.allow_telemetry": "false",
            # A single server never lags behind itself: a bookmark it cannot reach at once comes
            # from a store a bulk load replaced, and core.db starts afresh on the timeout, so wait
            # seconds for it rather than the default 30 s per process that held such a bookmark.
            "db.transaction.bookmark_ready_timeout": "2s",
            # On a stop, Bolt waits this long for its worker threads, and a client's idle pooled
            # connection holds one to the end: every stop took 5 s more (the default) whenever a
            # driver was connected, as during a bulk load. In-flight work is ended by the
            # database's own shutdown either way (transactions roll back).
            "internal.server.bolt.thread_pool_shutdown_wait_time": "0s",
        }
        text = "".join(f"{key}={value}\n" for key, value in settings.items())
        (self.home / "conf" / "neo4j.conf").write_text("# Written by Atlas at each start.\n" + text)

    def _ensure_password(self, java: str, lib: Path) -> None:
        """Generate a password before the first start; it lives in a file only its owner can read."""
        if self.password_file.exists():
            return
        if (self.home / "data" / "databases" / "system").exists():
            raise ConfigurationError(
                f"{self.password_file} is missing but {self.home} already holds a database; "
                "restore the file or delete the folder to start afresh"
            )
        # A leading '-' would make the admin tool read the password as an option.
        password = "p" + secrets.token_urlsafe(24)
        result = subprocess.run(
            [
                java,
                "-cp",
                f"{self.home / 'conf'}:{lib}/*",
                ADMIN_TOOL,
                "dbms",
                "set-initial-password",
                password,
            ],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")},
        )
        if result.returncode != 0:  # the command line holds the password: never show it
            output = (result.stdout + result.stderr).replace(password, "***")[-2000:]
            raise ConfigurationError(f"could not set the initial Neo4j password:\n{output}")
        self.password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")

    def _wait_until_serving(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = self.console_log.read_text(errors="replace")[-3000:]
                raise ConfigurationError(f"Neo4j exited with code {process.returncode}:\n{tail}")
            if port_open(self.bolt_port) and port_open(self.http_port):  # HTTP comes up last
                try:
                    with GraphDatabase.driver(self.bolt_uri, auth=("neo4j", self.password())) as driver:
                        driver.verify_connectivity()
                    return
                except (ServiceUnavailable, OSError):
                    pass
                except AuthError as error:
                    raise ConfigurationError(
                        f"Neo4j rejected the password in {self.password_file}"
                    ) from error
            time.sleep(0.5)
        process.kill()
        raise ConfigurationError(f"Neo4j did not answer on {self.bolt_uri} within {timeout:.0f}s")
