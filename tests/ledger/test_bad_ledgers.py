"""Bad ledgers fail loudly, before anything is sent, with no driver exception and no password."""

from __future__ import annotations

import os
import pwd
import sqlite3
import stat
from pathlib import Path

import pytest

import postmux
from core.fakes import KEY, FakeAdapter, Vendor, published, video_post
from postmux import LedgerError, Publisher, Secret, Status
from postmux.ledger import PostgresLedger, SQLiteLedger, open_ledger

from .conftest import Store
from .servers import PostgresServer, free_port


def assert_clean(exc: BaseException, *secrets: str) -> None:
    """No driver exception anywhere in the chain, and no secret in any text of it."""
    seen: BaseException | None = exc
    while seen is not None:
        assert not isinstance(seen, sqlite3.Error)
        assert type(seen).__module__.split(".")[0] != "psycopg", repr(seen)
        for secret in secrets:
            assert secret not in str(seen)
            assert secret not in repr(seen)
        seen = seen.__cause__ or seen.__context__


def test_a_corrupt_sqlite_file_raises_at_open(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(LedgerError, match="cannot open") as info:
        SQLiteLedger(path)
    assert str(path) in str(info.value)
    assert_clean(info.value)


def test_a_corrupt_ledger_stops_the_publisher_before_anything_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"\x00garbage" * 500)
    vendor = Vendor({"POST /posts": published})
    with pytest.raises(LedgerError) as info:
        Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=path)
    assert_clean(info.value)
    assert vendor.requests == []


def test_a_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot open") as info:
        open_ledger(f"sqlite:///{tmp_path}/missing/ledger.db")
    assert_clean(info.value)


def test_a_read_only_ledger_raises_at_open(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    SQLiteLedger(path).close()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    if os.geteuid() != 0:
        with pytest.raises(LedgerError, match=r"readonly|read-only|cannot open"):
            SQLiteLedger(path)
        return
    # root may write anything: try as an unprivileged user, in a forked child
    uid = pwd.getpwnam("nobody").pw_uid
    tmp_path.chmod(0o755)
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's outcome is its exit code
        code = 3
        try:
            os.setuid(uid)
            try:
                SQLiteLedger(path)
                code = 1
            except LedgerError as exc:
                code = 0 if str(path) in str(exc) and exc.__context__ is None else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_schema_from_a_newer_postmux_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    SQLiteLedger(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE postmux_schema SET version = 99")
    db.close()
    with pytest.raises(LedgerError, match="version 99"):
        SQLiteLedger(path)


def test_a_postmux_0_1_ledger_is_upgraded_keeping_its_outcomes_and_doubts(tmp_path: Path) -> None:
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", "tiktok:b", "tiktok:c")
    path = tmp_path / "old.db"
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client()) as pub:
        (done,) = pub.publish(video_post("tiktok:a"))
    from postmux.ledger import dump_publication

    with sqlite3.connect(path) as db:  # the 0.1 table, as that version made it
        db.execute(
            "CREATE TABLE postmux_ledger (post_key TEXT NOT NULL, target_key TEXT NOT NULL,"
            " publication TEXT, updated_at TEXT DEFAULT CURRENT_TIMESTAMP,"
            " PRIMARY KEY (post_key, target_key))"
        )
        db.execute(
            "INSERT INTO postmux_ledger (post_key, target_key, publication) VALUES (?, ?, ?)",
            (post.ledger_key, "fake:tiktok:a", dump_publication(done)),
        )
        db.execute(
            "INSERT INTO postmux_ledger (post_key, target_key, publication) VALUES (?, ?, NULL)",
            (post.ledger_key, "fake:tiktok:b"),
        )
    db.close()
    vendor = Vendor({"POST /posts": published})
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=path) as pub:
        report = pub.publish(post)
    assert [p.status for p in report] == [Status.PROCESSING, Status.UNKNOWN, Status.PROCESSING]
    assert [b["account"] for b in vendor.bodies()] == ["c"]


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(LedgerError, match="unknown scheme 'mysql'"):
        open_ledger("mysql://u:p@h/db")


def test_an_unreachable_postgres_raises_without_the_password() -> None:
    url = f"postgresql://writer:hunter2secret@127.0.0.1:{free_port()}/ledger"
    with pytest.raises(LedgerError, match="cannot connect") as info:
        PostgresLedger(url)
    assert "writer:***@127.0.0.1" in str(info.value)
    assert_clean(info.value, "hunter2secret")
    with pytest.raises(LedgerError) as through_factory:
        postmux.publisher("wahdx", api_key=KEY, ledger=url.replace("postgresql", "postgres"))
    assert_clean(through_factory.value, "hunter2secret")


def test_a_wrong_postgres_password_raises_without_either_password(postgres_server: PostgresServer) -> None:
    url = postgres_server.url(password="not-the-password-42")
    with pytest.raises(LedgerError) as info:
        PostgresLedger(url)
    assert_clean(info.value, "not-the-password-42", postgres_server.password)
    assert "authentication failed" in str(info.value)


def test_a_postgres_ledger_never_shows_its_password(pg_url: str, postgres_server: PostgresServer) -> None:
    ledger = PostgresLedger(pg_url + "?application_name=postmux-test")
    try:
        assert postgres_server.password not in repr(ledger)
        assert "***" in repr(ledger)
        assert postgres_server.password not in ledger.name
        ledger.close()
        with pytest.raises(LedgerError, match="closed") as info:
            ledger.lookup("k", "t")
        assert_clean(info.value, postgres_server.password)
    finally:
        ledger.close()


def test_a_postgres_ledger_reconnects_after_its_connection_was_cut(pg_url: str) -> None:
    import psycopg

    ledger = PostgresLedger(pg_url)
    try:
        assert ledger.claim("p", "a")
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(LedgerError) as info:  # the statement in flight when it was cut fails loudly
            ledger.claim("p", "b")
        assert_clean(info.value)
        assert not ledger.claim("p", "a")  # the next one reconnects
        assert ledger.lookup("p", "a") is not None
    finally:
        ledger.close()


def test_a_postgres_schema_from_a_newer_postmux_is_refused(pg_url: str) -> None:
    import psycopg

    PostgresLedger(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE postmux_schema SET version = 99")
    with pytest.raises(LedgerError, match="version 99"):
        PostgresLedger(pg_url)


def test_a_key_sqlite_or_postgres_cannot_store_raises_a_ledger_error_before_anything_is_sent(
    shared_store: Store,
) -> None:
    # a key made from a file name os.listdir() decoded with surrogateescape: not UTF-8 text
    vendor = Vendor({"POST /posts": published})
    post = video_post("tiktok:a", key="clip-\udcff")
    with Publisher(FakeAdapter(), Secret(KEY), client=vendor.client(), ledger=shared_store.open()) as pub:
        with pytest.raises(LedgerError, match="cannot look up") as info:
            pub.publish(post)
        assert vendor.count("POST /posts") == 0
        (p,) = pub.publish(video_post("tiktok:a", key="clip-1"))  # the ledger goes on working
    assert_clean(info.value)
    assert not isinstance(info.value.__context__, UnicodeError)
    assert p.status is Status.PROCESSING
    assert vendor.count("POST /posts") == 1


def test_a_key_value_conninfo_never_shows_its_password(postgres_server: PostgresServer) -> None:
    # "any libpq connection string": the key=value form hides its password as a URL does
    conninfo = (
        f"host=127.0.0.1 port={postgres_server.port} user={postgres_server.user}"
        f" password={postgres_server.password} dbname=postgres"
    )
    ledger = PostgresLedger(conninfo)
    try:
        assert postgres_server.password not in repr(ledger)
        assert postgres_server.password not in ledger.name
        assert "password=***" in ledger.name
    finally:
        ledger.close()
    unreachable = f"host=127.0.0.1 port={free_port()} user=writer password='hunter2 secret' dbname=ledger"
    with pytest.raises(LedgerError, match="cannot connect") as info:
        PostgresLedger(unreachable)
    assert_clean(info.value, "hunter2", "secret")


def test_an_ssl_key_passphrase_in_a_url_is_hidden_too() -> None:
    url = f"postgresql://writer@127.0.0.1:{free_port()}/ledger?sslpassword=keyphrase42"
    with pytest.raises(LedgerError, match="cannot connect") as info:
        PostgresLedger(url)
    assert_clean(info.value, "keyphrase42")


@pytest.mark.parametrize("entry", ["[]", "null", '"text"', "7"])
def test_an_entry_that_is_not_a_json_object_is_a_ledger_error(tmp_path: Path, entry: str) -> None:
    led = SQLiteLedger(tmp_path / "l.db")
    led.claim("k", "fake:tiktok:a")
    led.close()
    with sqlite3.connect(tmp_path / "l.db") as db:
        db.execute("UPDATE postmux_ledger SET publication = ?", (entry,))
    db.close()
    led = SQLiteLedger(tmp_path / "l.db")
    with pytest.raises(LedgerError, match="unreadable"):
        led.lookup("k", "fake:tiktok:a")
    led.close()
