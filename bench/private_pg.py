"""A private PostgreSQL over a copy of the shared cluster, for cold-start benchmarks.

    .venv/bin/python bench/private_pg.py copy   DIR [--source postgres://...]   # once
    .venv/bin/python bench/private_pg.py start  DIR [--port 5499] [--shared-buffers 1GB]
    .venv/bin/python bench/private_pg.py stop   DIR
    .venv/bin/python bench/private_pg.py cold   DIR [--port 5499] [--shared-buffers 1GB]

The shared PostgreSQL serves every engineer's tests and must never be restarted; a "cold"
search (empty shared_buffers, empty OS cache) needs a restart. `copy` takes an online
base backup of the shared cluster without the replication protocol (pg_hba has no
replication line): pg_backup_start() on one session, a file copy of the data directory,
pg_backup_stop(), its backup_label written into the copy and the WAL written meanwhile
copied after it. The copy then starts on its own port with the shared server's
shared_buffers (it recovers to the end of the backup on its first start), or with
`--shared-buffers` (the compose stack's 1GB, say: the shared server keeps its 128 MB
default). Run as root:
the server runs as the postgres user. `cold` drops the OS page cache when the kernel
allows it (`/proc/sys/vm/drop_caches`), and says whether it could.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import psycopg

BIN = Path("/usr/lib/postgresql/15/bin")


def _run_as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True)


def _copy_live(source: Path, target: Path, skip: set[str]) -> None:
    """Copy a live directory: files that vanish meanwhile (a dropped test database, a
    recycled WAL segment) are skipped, as pg_basebackup does; WAL replay makes it whole."""
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d not in skip]
        rel = Path(root).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if name in skip:
                continue
            with contextlib.suppress(FileNotFoundError):
                shutil.copy2(Path(root) / name, target / rel / name)


def copy(target: Path, source: str) -> None:
    with psycopg.connect(source, autocommit=True) as conn:
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])
        shared_buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
        conn.execute("SELECT pg_backup_start('sf private copy', true)")
        try:
            if target.exists():
                shutil.rmtree(target)
            _copy_live(data, target, skip={"postmaster.pid", "postmaster.opts", "pg_wal"})
        finally:
            _, label, _ = conn.execute("SELECT * FROM pg_backup_stop(true)").fetchone()
        # The WAL from the backup's start to its end (archived or not: copied after the stop).
        _copy_live(data / "pg_wal", target / "pg_wal", skip=set())
    (target / "backup_label").write_text(label)
    (target / "postgresql.conf").write_text(
        "listen_addresses = '127.0.0.1'\n"
        "unix_socket_directories = '/tmp'\n"
        f"shared_buffers = '{shared_buffers}'\n"
        f"hba_file = '{target.resolve() / 'pg_hba.conf'}'\n"
        f"ident_file = '{target.resolve() / 'pg_ident.conf'}'\n"
        "max_connections = 50\n"
    )
    (target / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (target / "pg_ident.conf").write_text("")
    for stale in ("recovery.signal", "standby.signal"):
        (target / stale).unlink(missing_ok=True)
    subprocess.run(["chown", "-R", "postgres:postgres", str(target)], check=True)
    target.chmod(0o700)
    print(f"copied {data} to {target}")


def start(target: Path, port: int, shared_buffers: str | None = None) -> None:
    options = f"-p {port}" + (f" -c shared_buffers={shared_buffers}" if shared_buffers else "")
    _run_as_postgres(
        str(BIN / "pg_ctl"),
        "-D",
        str(target),
        "-o",
        options,
        "-l",
        str(target / "server.log"),
        "-w",
        "-t",
        "600",
        "start",
    )


def stop(target: Path) -> None:
    _run_as_postgres(str(BIN / "pg_ctl"), "-D", str(target), "-m", "fast", "-w", "stop")


def drop_os_cache() -> bool:
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as error:
        print(f"the OS page cache was NOT dropped: {error}")
        return False
    print("the OS page cache was dropped")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["copy", "start", "stop", "cold"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--port", type=int, default=5499)
    parser.add_argument("--source", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--shared-buffers", default=None, help="e.g. 1GB (default: the copy's)")
    args = parser.parse_args()
    if args.action == "copy":
        copy(args.dir, args.source)
    elif args.action == "start":
        start(args.dir, args.port, args.shared_buffers)
    elif args.action == "stop":
        stop(args.dir)
    else:
        stop(args.dir)
        drop_os_cache()
        time.sleep(1)
        start(args.dir, args.port, args.shared_buffers)


if __name__ == "__main__":
    main()
