"""Real PostgreSQL and Redis servers for the tests, started by the test session itself.

Both listen on a free loopback port only, keep every file in a temporary
directory, and are stopped (and the directory removed) at the end of the
session. PostgreSQL refuses to run as root, so as root (CI) it runs as the
``postgres`` system user, made when missing. Where a server's binary is
missing the tests that need it skip locally, and fail under ``CI=true``:
``.ci/run`` installs both, so CI always runs them.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "RedisServer", "free_port", "missing"]

LOOPBACK = "127.0.0.1"
PG_USER = "postgres"


def missing(what: str) -> None:
    """Skip (locally) or fail (in CI) a test whose server cannot be started."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must run these tests (.ci/run installs it)", pytrace=False)
    pytest.skip(what)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian keeps them out of PATH)."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix, uid and gid to run PostgreSQL with (not root)."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
            check=True,
            capture_output=True,
        )
        user = pwd.getpwnam(PG_USER)
    return ["runuser", "-u", PG_USER, "--"], user.pw_uid, user.pw_gid


class PostgresServer:
    """A throwaway PostgreSQL cluster: ``initdb`` + ``pg_ctl`` into a temporary directory."""

    user = "postmux"

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.password = secrets.token_hex(12)
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="postmux-pg-"))
        self.data = self.base / "data"
        self.sockets = self.base / "sock"
        self._count = 0

    def _run(self, prefix: Sequence[str], *args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{tail}")

    def start(self) -> PostgresServer:
        prefix, uid, gid = _as_server_user()
        self.sockets.mkdir()
        pwfile = self.base / "pw"
        pwfile.write_text(self.password + "\n")
        os.chmod(self.base, 0o755)
        if uid is not None and gid is not None:
            for path in (self.base, self.sockets, pwfile):
                os.chown(path, uid, gid)
        self._run(
            prefix,
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--locale=C",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -h {LOOPBACK} -k {self.sockets}"
            " -c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            prefix,
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self._prefix = prefix
        return self

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        """A URL to ``database`` with the server's password (or another)."""
        pw = self.password if password is None else password
        return f"postgresql://{self.user}:{pw}@{LOOPBACK}:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        self._count += 1
        name = f"t{self._count}_{secrets.token_hex(3)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(
                self._prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"
            )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


class RedisServer:
    """A throwaway Redis (Debian's ``redis-server``) on a free loopback port, nothing persisted."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="postmux-redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> RedisServer:
        self._process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        shutil.rmtree(self.base, ignore_errors=True)
