#!/usr/bin/env python3
"""Back up the PostgreSQL database, restore the backup into a fresh database, and check that
every table came back with the same number of rows.

    .venv/bin/python scripts/backup_restore_check.py --database-url "$DATABASE_URL" \
        --backup-dir /var/backups/cchc [--restore-url postgres://…/cchc_restore_check] [--keep]

1. Opens a REPEATABLE READ transaction on the live database, exports its snapshot and counts
   the rows of every table in that snapshot.
2. ``pg_dump --format=custom --snapshot=…`` writes the backup from that very snapshot, so the
   counts are exact even while the site takes answers (a dump of a live database is consistent;
   counting it afterwards would not be).
3. Creates a fresh database (``<name>_restore_check_<time>`` on the same server unless
   ``--restore-url`` names another one), ``pg_restore --exit-on-error`` into it, counts again.
4. Prints the tables side by side; exits 0 when every count matches, 1 otherwise. The restored
   database is dropped unless ``--keep``; the dump file stays in ``--backup-dir`` (it is the backup).

Needs pg_dump / pg_restore at least as new as the server, and the ``psycopg`` package (in the
project's virtualenv). Never writes to the source database.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# The tables people would miss first; every other table is compared too.
MAIN_TABLES = [
    "auth_user",
    "elearning_profile",
    "elearning_unit",
    "wagtailcore_page",
    "quizzes_question",
    "quizzes_choice",
    "quizzes_round",
    "quizzes_attempt",
    "quizzes_answer",
    "quizzes_standing",
    "quizzes_conteststanding",
    "quizzes_unitstanding",
    "courses_enrolment",
    "courses_lessonprogress",
    "courses_certificate",
]


def libpq_url(url):
    """dj-database-url accepts postgres://; libpq wants postgresql:// (both fine for psycopg)."""
    return url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def count_rows(conn):
    """{schema.table: rows} for every ordinary table outside the system schemas."""
    tables = conn.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()
    counts = {}
    for schema, table in tables:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[table if schema == "public" else f"{schema}.{table}"] = conn.execute(query).fetchone()[0]
    return counts


def compare_counts(source, restored):
    """[(table, source rows, restored rows, same?)] — main tables first; a missing table counts as None."""
    tables = [t for t in MAIN_TABLES if t in source or t in restored]
    tables += sorted((set(source) | set(restored)) - set(tables))
    return [(t, source.get(t), restored.get(t), source.get(t) == restored.get(t)) for t in tables]


def run(args, what):
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True)  # noqa: S603 — pg_dump / pg_restore
    if result.returncode != 0:
        raise SystemExit(f"{what} failed ({result.returncode}):\n{result.stderr.strip()}")
    return time.monotonic() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="the database to back up (postgres://…)")
    parser.add_argument("--backup-dir", default="backups", help="where the dump file is written (default: backups/)")
    parser.add_argument("--restore-url", help="the database to restore into (must not exist; default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--jobs", type=int, default=2, help="parallel pg_restore jobs (default 2)")
    options = parser.parse_args(argv)

    source_url = libpq_url(options.database_url)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    source_name = database_name(source_url)
    restore_url = libpq_url(options.restore_url or with_database(source_url, f"{source_name}_restore_check_{stamp}"))
    restore_name = database_name(restore_url)
    if restore_name == source_name and urlsplit(restore_url).netloc == urlsplit(source_url).netloc:
        raise SystemExit("The restore database must not be the source database.")
    backup_dir = Path(options.backup_dir)
    backup_dir.mkdir(parents=True, exist_ok=True)
    dump_path = backup_dir / f"{source_name}-{stamp}.dump"

    # 1-2. Count and dump from one snapshot.
    with psycopg.connect(source_url) as source:
        source.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        source.read_only = True
        snapshot = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
        source_counts = count_rows(source)
        dump_seconds = run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--file",
                str(dump_path),
                source_url,
            ],
            "pg_dump",
        )
        source.rollback()  # read only: nothing to keep

    # 3. Restore into a fresh database and count again.
    admin_url = with_database(restore_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restore_name)))
    try:
        restore_seconds = run(
            [
                "pg_restore",
                "--exit-on-error",
                "--no-owner",
                f"--jobs={max(1, options.jobs)}",
                "--dbname",
                restore_url,
                str(dump_path),
            ],
            "pg_restore",
        )
        with psycopg.connect(restore_url) as restored:
            restored_counts = count_rows(restored)
    finally:
        if not options.keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(restore_name)))

    # 4. Report.
    rows = compare_counts(source_counts, restored_counts)
    width = max(len(table) for table, *_ in rows) if rows else 10
    print(f"backup:   {dump_path} ({dump_path.stat().st_size:,} bytes, pg_dump {dump_seconds:.1f} s)")
    print(f"restored: {restore_name} (pg_restore {restore_seconds:.1f} s){'' if options.keep else ', dropped'}")
    print(f"{'table':<{width}}  {'source':>12}  {'restored':>12}")
    for table, before, after, same in rows:
        if table in MAIN_TABLES or not same:
            print(f"{table:<{width}}  {before!s:>12}  {after!s:>12}{'' if same else '  MISMATCH'}")
    mismatches = [table for table, _b, _a, same in rows if not same]
    print(f"{len(rows)} tables compared, {sum(c or 0 for c in source_counts.values()):,} rows; ", end="")
    if mismatches:
        print(f"MISMATCH in {len(mismatches)}: {', '.join(mismatches)}")
        return 1
    print("every count matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
