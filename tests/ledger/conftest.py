"""Fixtures of the ledger suite: real servers for the session, and one store per backend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from postmux.ledger import Ledger, MemoryLedger, PostgresLedger, SQLiteLedger

from .servers import PostgresServer, RedisServer, missing, postgres_bin

BACKENDS = ("memory", "sqlite", "postgres")
SHARED = ("sqlite", "postgres")
"""The backends that many processes can share."""


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = postgres_bin()
    if bindir is None:
        missing("PostgreSQL is not installed (initdb, pg_ctl)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg is not installed (pip install 'postmux[postgres]')")
    assert bindir is not None
    server = PostgresServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """A fresh database of the session's server."""
    return postgres_server.new_database()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        missing("redis-server is not installed")
    assert binary is not None
    server = RedisServer(binary).start()
    try:
        yield server
    finally:
        server.stop()


class Store:
    """One ledger store of one backend; :meth:`open` gives another handle on it (a new connection)."""

    def __init__(self, backend: str, where: str | None) -> None:
        self.backend = backend
        self.where = where
        """A path or URL another process can open (``None`` for memory)."""
        self._memory = MemoryLedger() if backend == "memory" else None
        self._opened: list[Ledger] = []

    def open(self, *, lease: float | None = None) -> Ledger:
        if self._memory is not None:
            if lease is not None:
                self._memory.lease = lease
            return self._memory
        assert self.where is not None
        options = {} if lease is None else {"lease": lease}
        ledger: Ledger = (
            PostgresLedger(self.where, **options)
            if self.backend == "postgres"
            else SQLiteLedger(self.where, **options)
        )
        self._opened.append(ledger)
        return ledger

    def close(self) -> None:
        for ledger in self._opened:
            ledger.close()


def _store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    where: str | None = None
    if backend == "sqlite":
        where = str(tmp_path / "ledger.db")
    elif backend == "postgres":
        where = request.getfixturevalue("pg_url")
    store = Store(backend, where)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend in turn."""
    yield from _store(request.param, request, tmp_path)


@pytest.fixture(params=SHARED)
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The backends several processes can open."""
    yield from _store(request.param, request, tmp_path)
