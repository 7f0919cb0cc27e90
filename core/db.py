"""The Neo4j driver: where the server is, how to log in, and how queries run."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from core.errors import ConfigurationError, DatabaseUnavailable
from core.settings import Settings

T = TypeVar("T")
UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionError, OSError)
AUTH_RATE_LIMIT = "Neo.ClientError.Security.AuthenticationRateLimit"
BOOKMARK_TIMEOUT = "Neo.TransientError.Transaction.BookmarkTimeout"
# The revisions read within the current `one_revision` block, by database name.
_revisions_read: ContextVar[dict[str, str] | None] = ContextVar("atlas_revisions_read", default=None)


@contextmanager
def one_revision() -> Iterator[None]:
    """Within the block, each database's revision is read once: `Database.revision()` answers
    the first reading again. For one read-only request (an entity page asks for its entity,
    neighbourhood, similar entities and suggestions, each kept per revision): one round trip instead
    of one per part, and every part keyed on the same snapshot. Never around a write: what the
    request itself commits would not move the revision it sees."""
    token = _revisions_read.set({})
    try:
        yield
    finally:
        _revisions_read.reset(token)


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str = field(repr=False)
    database: str


def resolve_connection(settings: Settings) -> Connection:
    """An external server when NEO4J_URI is set; otherwise the local server Atlas started."""
    if settings.neo4j_uri:
        if settings.neo4j_password is None:
            raise ConfigurationError("NEO4J_URI is set but NEO4J_PASSWORD is not")
        return Connection(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
        )
    bolt_port = settings.local_server_bolt_port()
    if not settings.password_file.exists():
        raise ConfigurationError(
            f"no Neo4j password file at {settings.password_file}: run `atlas neo4j start` first, "
            "or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD"
        )
    password = settings.password_file.read_text().strip()
    return Connection(f"bolt://127.0.0.1:{bolt_port}", "neo4j", password, settings.neo4j_database)


def open_driver(connection: Connection, *, retry_seconds: float = 30, pool_size: int = 50) -> Driver:
    """A driver for the process. `retry_seconds` bounds how long a query is retried while the
    server is unreachable: short for the API (answer 503 quickly), longer for batch ingest."""
    return GraphDatabase.driver(
        connection.uri,
        auth=(connection.user, connection.password),
        connection_acquisition_timeout=10,
        max_connection_pool_size=pool_size,
        connection_timeout=5,
        max_transaction_retry_time=retry_seconds,
        notifications_min_severity="OFF",  # schema hints about absent keys are noise here
    )


class Runner(Protocol):
    """Runs one query and returns its records: `Database.read`, or a step of a transaction."""

    def __call__(self, query: LiteralString, **params: Any) -> list[neo4j.Record]: ...


def transaction_runner(tx: ManagedTransaction) -> Runner:
    def run(query: LiteralString, **params: Any) -> list[neo4j.Record]:
        return list(tx.run(query, params))

    return run


class Database:
    """One driver for the process plus the database name; every query goes through here."""

    def __init__(self, driver: Driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database
        self._prepared: set[str] = set()
        self._prepare_lock = threading.Lock()

    def read(self, query: LiteralString, **params: Any) -> list[neo4j.Record]:
        return self._run(query, params, RoutingControl.READ)

    def write(self, query: LiteralString, **params: Any) -> list[neo4j.Record]:
        return self._run(query, params, RoutingControl.WRITE)

    def read_pages(self, query: LiteralString, page: int, **params: Any) -> Iterator[list[neo4j.Record]]:
        """The records of a query paged by keyset on `id` (it takes `$after` and `$limit` and
        returns rows ordered by `id`): one transaction per page, so a page of a large graph never
        holds the rest."""
        after = ""
        while records := self.read(query, after=after, limit=page, **params):
            yield records
            after = records[-1]["id"]

    def _run(
        self, query: LiteralString, params: dict[str, Any], routing: RoutingControl
    ) -> list[neo4j.Record]:
        with _translated_errors():
            try:
                records, _, _ = self.driver.execute_query(
                    query, params, database_=self.database, routing_=routing
                )
            except Neo4jError as error:
                if error.code != BOOKMARK_TIMEOUT:
                    raise
                # The database was replaced offline (a bulk load with neo4j-admin): its transaction
                # ids began again, so the bookmarks held from before can never be reached.
                forget_bookmarks(self.driver, self.database)
                records, _, _ = self.driver.execute_query(
                    query, params, database_=self.database, routing_=routing
                )
        return records

    def write_transaction(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one write transaction: all its queries commit together or not at all.
        The driver retries it on transient failures (a deadlock, a leader switch), so `work` must
        do the same thing again when called again."""
        with _translated_errors(), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_in_transactions(self, query: LiteralString, **params: Any) -> list[neo4j.Record]:
        """Run a query that commits as it goes (`CALL { ... } IN TRANSACTIONS`): only an
        auto-commit transaction may, so not retried. Later reads through `read` and `write` see
        its writes (the same bookmarks)."""
        with (
            _translated_errors(),
            self.driver.session(
                database=self.database, bookmark_manager=self.driver.execute_query_bookmark_manager
            ) as session,
        ):
            return list(session.run(query, params))

    def prepare_once(self, name: str, statements: Iterable[LiteralString]) -> None:
        """Run idempotent schema statements (`CREATE ... IF NOT EXISTS`) once for this database
        object: schema changes cannot share a transaction with data, and need not run per request."""
        with self._prepare_lock:
            if name in self._prepared:
                return
            for statement in statements:
                self.write(statement)
            self._prepared.add(name)

    def revision(self) -> str:
        """A token that changes whenever a transaction commits to this database, from any client
        (Atlas, Neo4j Browser, a notebook): the bookmark Neo4j returns for an empty read. Inside
        `one_revision`, the one read first in the block."""
        read = _revisions_read.get()
        if read is not None and self.database in read:
            return read[self.database]
        revision = self.read_revision()
        self.remember_revision(revision)
        return revision

    def remember_revision(self, revision: str) -> None:
        """Inside `one_revision`, answer `revision` from now on (one just read by someone else)."""
        read = _revisions_read.get()
        if read is not None:
            read.setdefault(self.database, revision)

    def remembered_revision(self) -> str | None:
        read = _revisions_read.get()
        return None if read is None else read.get(self.database)

    def read_revision(self) -> str:
        """The revision as Neo4j has it now, one round trip (`revision` without `one_revision`)."""
        with (
            _translated_errors(),
            self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session,
        ):
            session.run("RETURN 1").consume()
            return "|".join(sorted(session.last_bookmarks().raw_values))

    def ping(self) -> bool:
        try:
            self.read("RETURN 1 AS ok")
        except (DatabaseUnavailable, ConfigurationError):
            return False
        return True


def forget_bookmarks(driver: Driver, database: str) -> None:
    """Restart the causal chain of `execute_query` from the database as it is now: replace the
    driver's query bookmarks with the one of a read that waits for none."""
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        session.run("RETURN 1").consume()
        current = session.last_bookmarks().raw_values
    manager = driver.execute_query_bookmark_manager
    manager.update_bookmarks(manager.get_bookmarks(), current)  # it ignores an update to none


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Driver exceptions as Atlas's: unavailable (503) or misconfigured credentials."""
    try:
        yield
    except UNAVAILABLE as error:
        raise DatabaseUnavailable(f"Neo4j is not answering: {type(error).__name__}") from error
    except Neo4jError as error:
        # After repeated failures Neo4j answers AuthenticationRateLimit, not an AuthError.
        if isinstance(error, AuthError) or error.code == AUTH_RATE_LIMIT:
            raise ConfigurationError(
                "Neo4j refused the user name or password "
                "(NEO4J_USER and NEO4J_PASSWORD, or the local password file)"
            ) from error
        raise
    except DriverError as error:
        raise DatabaseUnavailable(f"Neo4j connection failed: {type(error).__name__}") from error
