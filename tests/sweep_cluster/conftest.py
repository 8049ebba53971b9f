"""Cluster fixtures: a throwaway PostgreSQL server (Debian's package, real, no mocks), a fresh database per test.

The PostgreSQL tests skip only on a developer machine without server binaries; with `CI` set a
missing server (or driver) is a failure: `.ci/run` installs Debian's `postgresql` when needed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    """The newest Debian server (/usr/lib/postgresql/<ver>/bin), else whatever initdb is on PATH."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if found:
        return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI must run the PostgreSQL tests (.ci/run installs postgresql)")
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    bindir: Path
    port: int

    def create_db(self) -> str:
        """A fresh database on the server; its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        cmd = [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        subprocess.run([*cmd, "-U", "postgres", name], check=True, capture_output=True)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """initdb + pg_ctl start on a free localhost port (as `postgres` when run as root); stopped after."""
    bindir = _bindir()
    if bindir is None:
        _missing("no PostgreSQL server binaries (apt-get install postgresql)")
    assert bindir is not None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install -e '.[cluster]')")
    # Not tmp_path: its 0700 parents would shut the postgres user out.
    root = Path(tempfile.mkdtemp(prefix="harness-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run(
            [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--locale=C", "--no-sync"],
            check=True,
            capture_output=True,
        )
        started = subprocess.run(
            [*pg_ctl, "-l", str(root / "server.log"), "-o", opts, "-w", "-t", "60", "start"],
            capture_output=True,
            text=True,
        )
        if started.returncode:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log}")
        yield PgServer(bindir, port)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty PostgreSQL database per test."""
    return pg_server.create_db()
