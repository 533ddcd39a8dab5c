"""The ledger in PostgreSQL (psycopg 3): many processes on many machines, one truth.

Install with ``pip install 'postmux[postgres]'``. Every operation is one
autocommitted statement, so a claim is exclusive by PostgreSQL's own row
locking (a second claimer's ``ON CONFLICT`` branch re-checks the committed row
and finds it taken), and a worker that dies holds no transaction open. Leases
are measured on the server's clock, so machines whose clocks disagree still
agree on when a lease ends. The tables are created on first use, under an
advisory lock so that many workers starting at once do not race.

A URL's password never appears in a repr, an error or a log line: the ledger
is named by its URL with the password replaced by ``***``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigurationError, LedgerError
from ..secrets import REDACTED
from .base import DEFAULT_LEASE, SCHEMA_VERSION
from .sql import TABLES, Rows, SQLLedger, Statements, check_version

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresLedger", "display_url"]

CONNECT_TIMEOUT = 10
"""Seconds to wait for the server when opening the ledger."""

_SETUP_LOCK = 0x706F73746D7578  # "postmux": one advisory lock id for creating the tables
_SQL = Statements.build(lambda name: f"%({name})s", "EXTRACT(EPOCH FROM clock_timestamp())::double precision")


_SECRET_KEYS = frozenset({"password", "sslpassword"})
"""Connection parameters that are secrets: the login's password, and the passphrase of an SSL key."""

_CONNINFO_SECRET = re.compile(r"(?i)(?<![\w])((?:ssl)?password\s*=\s*)('(?:\\.|[^'\\])*'|[^\s']\S*)")
"""A secret in a ``key=value`` connection string: its keyword, and its value (bare or quoted)."""


def _is_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def display_url(url: str) -> str:
    """``url`` with any password (in the authority or the query) replaced by ``***``.

    A ``key=value`` connection string has its ``password`` (and ``sslpassword``) replaced so too.
    """
    if not _is_url(url):
        return _CONNINFO_SECRET.sub(lambda m: m.group(1) + REDACTED, url)
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{REDACTED}@{hostinfo}"
    query = parts.query
    if query:
        pairs = [(k, REDACTED if k.lower() in _SECRET_KEYS else v) for k, v in parse_qsl(query)]
        query = urlencode(pairs, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(url: str) -> list[str]:
    if not _is_url(url):
        found = []
        for m in _CONNINFO_SECRET.finditer(url):
            value = m.group(2)
            if value.startswith("'"):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            if value:
                found.append(value)
        return found
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    found += [v for k, v in parse_qsl(parts.query) if k.lower() in _SECRET_KEYS and v]
    return found


class PostgresLedger(SQLLedger):
    """A ledger in a PostgreSQL database, shared by every worker on every machine.

    ``url`` is a ``postgresql://user:password@host:port/dbname`` URL (or any
    libpq connection string). Opening it connects and creates the tables; an
    unreachable server, a refused login or a missing database raises
    :class:`~postmux.LedgerError` here, before anything is sent.
    """

    _sql = _SQL

    def __init__(self, url: str, *, lease: float = DEFAULT_LEASE) -> None:
        super().__init__(lease=lease)
        try:
            import psycopg
        except ImportError:
            raise ConfigurationError(
                "the PostgreSQL ledger needs psycopg 3: pip install 'postmux[postgres]'"
            ) from None
        self._psycopg = psycopg
        self._url = url
        self._hide = _secrets(url)
        self.name = display_url(url)
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = False
        with self._lock:
            self._connect("open")

    def __repr__(self) -> str:
        return f"PostgresLedger({self.name!r})"

    def _connect(self, what: str) -> psycopg.Connection[Any]:
        """A live connection (made, and the tables set up, when there is none)."""
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        failure: str | None = None
        try:
            conn = self._psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except self._psycopg.Error as exc:
            failure = self._describe(exc)
        if failure is not None:
            raise LedgerError(f"ledger {self.name}: cannot {what}: cannot connect: {failure}")
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
                for statement in TABLES:
                    conn.execute(statement)
                found = conn.execute("SELECT version FROM postmux_schema").fetchall()
                if check_version(self.name, found):
                    conn.execute("INSERT INTO postmux_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        except self._psycopg.Error as exc:
            failure = self._describe(exc)
        except LedgerError:
            conn.close()
            raise
        if failure is not None:
            conn.close()
            raise LedgerError(f"ledger {self.name}: cannot {what}: cannot create its tables: {failure}")
        self._conn = conn
        return conn

    def _run(self, what: str, sql: str, params: Mapping[str, Any], *, durable: bool = False) -> Rows:
        # every commit is durable as the server is configured (synchronous_commit)
        failure: str
        with self._lock:
            if self._closed:
                raise LedgerError(f"ledger {self.name}: cannot {what}: it is closed")
            conn = self._connect(what)
            try:
                cursor = conn.execute(sql, params)
                return list(cursor.fetchall()) if cursor.description is not None else []
            except (self._psycopg.Error, UnicodeEncodeError) as exc:  # a key with a lone surrogate
                failure = self._describe(exc)
        raise LedgerError(f"ledger {self.name}: cannot {what}: {failure}")

    def _describe(self, exc: BaseException) -> str:
        """The driver's words with the password scrubbed, never the exception itself."""
        text = " ".join(str(exc).split()) or type(exc).__name__
        for secret in self._hide:
            text = text.replace(secret, REDACTED)
        return text

    def close(self) -> None:
        """Close the connection (later calls raise :class:`~postmux.LedgerError`)."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
