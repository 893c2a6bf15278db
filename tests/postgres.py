"""A throwaway PostgreSQL for the tests: initdb and pg_ctl in a temporary folder, a Unix socket.

The server listens on no TCP port, only on a socket in its own folder, so runs never collide.
PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (which Debian's
package creates). Where it can't be found or started, `server()` raises Missing with the reason:
tests skip on it, unless CI or REQUIRE_POSTGRES is set, where they fail (`required()`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

PORT = 55432  # names the socket file in the server's own folder; no TCP listener
USER = "app"


class Missing(RuntimeError):
    """PostgreSQL could not be found or started here."""


def required() -> bool:
    """Whether a missing PostgreSQL must fail the run (CI) rather than skip its tests."""
    return bool(os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"))


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise Missing(
            f"no {name} on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return found


@contextlib.contextmanager
def server() -> Iterator[str]:
    """A fresh PostgreSQL server; yields a SQLAlchemy URL of its `postgres` database."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    folder = tempfile.mkdtemp(prefix="pg")  # short: a socket path has at most 107 characters
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data, log = f"{folder}/db", f"{folder}/log"
    options = f"-p {PORT} -k {folder} -c listen_addresses='' -c fsync=off"
    try:
        if as_user:
            shutil.chown(folder, "postgres")
        subprocess.run(
            [*as_user, initdb, "-D", data, "-A", "trust", "-U", USER],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [*as_user, pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError, KeyError, LookupError) as error:
        detail = getattr(error, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        raise Missing(
            f"PostgreSQL did not start: {error} {detail.decode(errors='replace')}"
        ) from error
    try:
        yield f"postgresql+psycopg://{USER}@/postgres?host={folder}&port={PORT}"
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "-D", data, "-m", "immediate", "stop"],
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database(url: str, name: str) -> Iterator[str]:
    """A new empty database on the server at `url`, dropped afterwards; yields its URL."""
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.replace("/postgres?", f"/{name}?")
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
