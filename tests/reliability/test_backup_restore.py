"""scripts/backup_restore_check.py against the throwaway cluster: a dump of the live database
(taken while participants keep answering) restores into a fresh database with every table's
row count equal to the dumped snapshot's, and the app's data reads back the same."""

import importlib.util
import re
import subprocess
import sys
import threading

import pytest

from .client import participants
from .harness import ROOT, server_env

pytestmark = pytest.mark.reliability
SCRIPT = ROOT / "scripts" / "backup_restore_check.py"


def load_script():
    spec = importlib.util.spec_from_file_location("backup_restore_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(*args):
    return subprocess.run(  # noqa: S603 — the project's own script
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=server_env("", None),
    )


def take_part(person):
    person.start()
    person.answer_many(person.questions())
    person.submit()


def restore_checks(stack):
    return [
        row[0] for row in stack.postgres.sql("SELECT datname FROM pg_database WHERE datname LIKE '%restore_check%'")
    ]


def test_backup_of_a_live_database_restores_with_equal_counts(alive, tmp_path, figures):
    stack = alive
    contest = stack.contest(participants=16, questions=12, per_attempt=10)
    people = participants(stack, contest)
    for person in people[:8]:
        take_part(person)

    # Participants keep answering while the backup is taken (bounded: 8 people, one pass each).
    writing = threading.Thread(target=lambda: [take_part(person) for person in people[8:]], daemon=True)
    writing.start()
    result = run_script("--database-url", stack.database_url, "--backup-dir", tmp_path)
    writing.join(120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "every count matches" in result.stdout
    answers = int(re.search(r"^quizzes_answer\s+(\d+)\s+(\d+)$", result.stdout, re.M).group(1))
    assert answers >= 8 * 10  # at least what was graded before the backup started
    (dump,) = tmp_path.glob("*.dump")
    assert dump.stat().st_size > 0
    assert restore_checks(stack) == [], "the restored copy is dropped unless --keep"

    # Restore into a named database, keep it, and read the contest back from it with the app.
    restored_url = stack.postgres.url("cchc_reliab_restored")
    kept = run_script(
        "--database-url", stack.database_url, "--backup-dir", tmp_path, "--restore-url", restored_url, "--keep"
    )
    assert kept.returncode == 0, kept.stdout + kept.stderr
    try:
        from .harness import agent

        source = stack.snapshot(contest)
        copy = agent("snapshot", restored_url, payload={"contest_id": contest["contest_id"]})
        assert copy == source
        assert len(copy["standings"]) == 16
    finally:
        stack.postgres.sql('DROP DATABASE IF EXISTS "cchc_reliab_restored"')
    figures["backup_restore"] = {
        "tables_compared": int(re.search(r"(\d+) tables compared", result.stdout).group(1)),
        "dump_bytes": dump.stat().st_size,
        "while_writing": True,
        "mismatches": 0,
    }


def test_the_check_reports_a_count_that_differs():
    script = load_script()
    rows = script.compare_counts({"quizzes_answer": 10, "extra": 1}, {"quizzes_answer": 9})
    assert ("quizzes_answer", 10, 9, False) in rows
    assert ("extra", 1, None, False) in rows
    assert all(same for *_rest, same in script.compare_counts({"a": 1}, {"a": 1}))
