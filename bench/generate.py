"""Benchmark data generator: a contest round with up to 1,000,000 standings.

    .venv/bin/python bench/generate.py --database-url URL --participants 1000000 --units 200 \
        --in-progress 30000 --rush-users 5000 --pools DIR

Creates what the real code would have created, in bulk:

- the demo site content (``elearning.seed.seed_core``, ``courses.seed``) and the contest
  ``quizzes/demo/cchc-2018.json`` through ``import_contest``, its rounds moved so that
  round 1 is open now;
- ``--units`` units in all (commune units are added under the district to reach it);
- ``--participants`` people (auth_user + elearning_profile), each with one graded attempt
  in round 1 (``--attempts`` > participants adds worse second attempts), its standing,
  contest standing, the per-unit aggregates (quizzes_unitstanding) and the score buckets
  (quizzes_scorebucket, per (round, score, duration_ms // 1000) and contest-wide), exactly
  as ``quizzes.services.standings.record`` keeps them; no answer rows for these attempts
  (graded history is never read on the hot paths measured here);
- ``--in-progress`` people with an attempt in progress in round 1 (drawn by the real
  ``draw_questions``): the autosave and submit pool;
- ``--rush-users`` people with no attempt yet (the deadline rush), and a few spares for the
  two-instance check; DRF tokens for everyone who makes requests.

PostgreSQL: COPY via psycopg, with the tables' secondary indexes, unique and foreign-key
constraints dropped during the load and rebuilt after it (then VACUUM ANALYZE).
SQLite: executemany in big transactions. Pool files for the load generators (tokens and
ids) are written to ``--pools``.
"""

import argparse
import io
import json
import os
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 3
BENCH_PASSWORD = "bench-Password-2018"  # noqa: S105 — loopback benchmark accounts only
PHONE_PREFIX = "086"
BULK_TABLES = [
    "auth_user",
    "elearning_profile",
    "authtoken_token",
    "quizzes_attempt",
    "quizzes_standing",
    "quizzes_conteststanding",
]


def log(message):
    print(f"[generate {time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # generation never touches Redis: boards are rebuilt by the bench
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


# -- site content and the contest ------------------------------------------------------
def seed_content(units_wanted, participants):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    import courses.seed
    from elearning import seed
    from elearning.models import Unit, UnitKind
    from quizzes.imports.contest_json import DEMO_CONTEST_PATH, import_contest, shift_rounds

    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable", verbosity=0)
    seed.seed_core()
    courses.seed.run(stdout=open(os.devnull, "w"))  # noqa: SIM115
    data = json.loads(DEMO_CONTEST_PATH.read_text(encoding="utf-8"))
    contest = import_contest(shift_rounds(data, timezone.now(), 1)).contest
    district = Unit.objects.get(code=seed.DISTRICT_CODE)
    commune = UnitKind.objects.get(code="commune")
    have = Unit.objects.filter(headcount__gt=0).count()
    headcount = max(20, int(participants / max(1, units_wanted) * 1.4))
    with transaction.atomic():
        Unit.objects.bulk_create(
            [
                Unit(
                    code=f"bench-xa-{n:04d}",
                    name=f"Xã thử tải {n:04d}",
                    kind=commune,
                    parent=district,
                    headcount=headcount,
                )
                for n in range(max(0, units_wanted - have))
            ]
        )
    return contest


# -- rows ------------------------------------------------------------------------------------
class Plan:
    """Every row to load, computed once in Python (deterministic for a seed)."""

    def __init__(self, contest, args):
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import User
        from django.db.models import Max

        from elearning.models import Profile, Unit
        from quizzes.models import Attempt
        from quizzes.seed import FAMILY, GIVEN, MIDDLE
        from quizzes.services.draw import draw_questions

        self.rng = random.Random(args.seed)
        self.contest = contest
        self.round = contest.rounds.get(number=1)
        self.units = list(Unit.objects.filter(headcount__gt=0).order_by("pk").values_list("pk", flat=True))
        self.password = make_password(BENCH_PASSWORD)
        self.names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
        self.draws = [json.dumps(draw_questions(contest, self.rng), separators=(",", ":")) for _ in range(300)]
        self.first_user = (User.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.first_profile = (Profile.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.first_attempt = (Attempt.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.args = args
        self.now = self.round.opens_at + timedelta(hours=20)
        self.tokens = {}

    # users: participants, then the in-progress pool, then the rush, then spares
    def counts(self):
        a = self.args
        return a.participants, a.in_progress, a.rush_users, a.spare_users

    def total_users(self):
        return sum(self.counts())


def epoch_ms(moment):
    return int(moment.timestamp() * 1000)


def iso(moment):
    return moment.isoformat()


def build(plan):
    """Yield (table, columns, rows) in load order; rows are tuples of text-ready values."""
    a = plan.args
    rng = plan.rng
    participants, in_progress, rush, spare = plan.counts()
    total = plan.total_users()
    opens = plan.round.opens_at
    date_joined = iso(opens - timedelta(days=3))
    users, profiles = [], []
    kind_of, unit_of = {}, {}
    for i in range(total):
        uid = plan.first_user + i
        phone = f"{PHONE_PREFIX}{i:07d}"
        kind = "official" if i % 3 == 0 else "citizen"
        unit = plan.units[int(rng.random() ** 1.3 * len(plan.units))] if plan.units else None
        kind_of[uid], unit_of[uid] = kind, unit
        users.append((uid, plan.password, None, False, phone, "", "", "", False, True, date_joined))
        profiles.append(
            (
                plan.first_profile + i,
                rng.choice(plan.names),
                kind,
                "",
                phone,
                None,
                1960 + i % 45,
                False,
                date_joined,
                uid,
                unit,
            )
        )
    yield (
        "auth_user",
        "id password last_login is_superuser username first_name last_name email is_staff is_active date_joined",
        users,
    )
    yield (
        "elearning_profile",
        "id full_name kind position phone national_id birth_year must_change_password created_at user_id unit_id",
        profiles,
    )
    del users, profiles

    # Who makes requests gets a token: a sample of participants (my rank), the pools.
    rank_users = rng.sample(range(participants), min(a.rank_users, participants)) if participants else []
    token_users = [plan.first_user + i for i in rank_users] + [plan.first_user + i for i in range(participants, total)]
    tokens = []
    for uid in token_users:
        key = secrets.token_hex(20)
        plan.tokens[uid] = key
        tokens.append((key, date_joined, uid))
    yield "authtoken_token", "key created user_id", tokens
    del tokens

    attempts, standings, contest_rows = [], [], []
    unit_agg = defaultdict(lambda: [0, 0])
    buckets = Counter()
    attempt_id = plan.first_attempt
    window = max(60.0, (plan.now - opens).total_seconds() - 1000)
    contest_id, round_id = plan.contest.pk, plan.round.pk
    extra = max(0, a.attempts - participants)
    for i in range(participants):
        uid = plan.first_user + i
        skill = 0.45 + 0.5 * rng.random()
        score = sum(rng.random() < skill for _ in range(20))
        duration = rng.randint(120_000, 899_000)
        started = opens + timedelta(seconds=rng.uniform(0, window))
        submitted = started + timedelta(milliseconds=duration)
        kind, unit = kind_of[uid], unit_of[uid]
        draw = i % len(plan.draws)
        best_id = attempt_id
        attempts.append(
            (
                attempt_id, 1, "submitted", kind, iso(started), iso(started + timedelta(seconds=900)), iso(submitted),
                score, 20, duration, rng.randint(100, 5000), draw, unit, uid, contest_id, round_id, secrets.token_hex(8),
            )
        )  # fmt: skip
        attempt_id += 1
        if i < extra:  # a worse earlier try: lower score, same person
            started2 = started - timedelta(seconds=1000)
            attempts.append(
                (
                    attempt_id, 2, "submitted", kind, iso(started2), iso(started2 + timedelta(seconds=900)),
                    iso(started2 + timedelta(milliseconds=duration)), max(0, score - 1 - rng.randint(0, 3)), 20,
                    duration, rng.randint(100, 5000), (i + 1) % len(plan.draws), unit, uid, contest_id,
                    round_id, secrets.token_hex(8),
                )
            )  # fmt: skip
            attempt_id += 1
        standings.append((i + 1, kind, score, duration, epoch_ms(submitted), best_id, round_id, unit, uid))
        contest_rows.append((i + 1, kind, score, duration, 1, 1, contest_id, unit, uid))  # one round, version 1
        if unit is not None:
            unit_agg[unit][0] += 1
            unit_agg[unit][1] += score
        buckets[(score, duration // 1000)] += 1
    # The in-progress pool: started just now (the bench moves started_at/deadline before each use).
    plan.pool = []
    for i in range(participants, participants + in_progress):
        uid = plan.first_user + i
        draw = rng.randrange(len(plan.draws))
        started = plan.now
        attempts.append(
            (
                attempt_id, 1, "in_progress", kind_of[uid], iso(started), iso(started + timedelta(seconds=900)), None,
                None, 20, None, None, draw, unit_of[uid], uid, contest_id, round_id, secrets.token_hex(8),
            )
        )  # fmt: skip
        plan.pool.append((plan.tokens[uid], uid, attempt_id, json.loads(plan.draws[draw])))
        attempt_id += 1
    yield (
        "quizzes_attempt",
        'id number state "group" started_at deadline submitted_at score max_score duration_ms prediction draw '
        "unit_id user_id contest_id round_id device",
        attempts,
    )
    del attempts
    yield "quizzes_standing", 'id "group" score duration_ms submitted_ms attempt_id round_id unit_id user_id', standings
    del standings
    yield (
        "quizzes_conteststanding",
        'id "group" score duration_ms rounds version contest_id unit_id user_id',
        contest_rows,
    )
    del contest_rows
    unit_rows, n = [], 0
    for unit, (count, total_score) in sorted(unit_agg.items()):
        for rid in (round_id, None):
            n += 1
            unit_rows.append((n, count, total_score, contest_id, rid, unit))
    yield "quizzes_unitstanding", "id participants score_sum contest_id round_id unit_id", unit_rows
    bucket_rows, n = [], 0
    for (score, second), count in sorted(buckets.items()):
        for rid in (round_id, None):
            n += 1
            bucket_rows.append((n, score, second, count, contest_id, rid))
    yield "quizzes_scorebucket", 'id score "second" count contest_id round_id', bucket_rows
    plan.rank_pool = [(plan.tokens[plan.first_user + i], plan.first_user + i) for i in rank_users]
    plan.rush_pool = [
        (plan.tokens[plan.first_user + i], plan.first_user + i)
        for i in range(participants + in_progress, participants + in_progress + rush)
    ]
    plan.spare_pool = [
        (plan.tokens[plan.first_user + i], plan.first_user + i) for i in range(participants + in_progress + rush, total)
    ]


# -- loaders --------------------------------------------------------------------------------
def _text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class PostgresLoader:
    def __init__(self, database_url):
        import psycopg

        self.conn = psycopg.connect(database_url, autocommit=False)
        self.saved = []

    def begin(self, tables):
        cur = self.conn.cursor()
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        for table in tables:
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            constraints = cur.fetchall()
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cur.fetchall()
            self.saved.append((table, constraints, indexes))
        for table, constraints, _indexes in self.saved:  # foreign keys first
            for name, _definition, kind in constraints:
                if kind == "f":
                    cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for table, constraints, indexes in self.saved:
            for name, _definition, kind in constraints:
                if kind == "u":
                    cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cur.execute(f'DROP INDEX "{name}"')

    def load(self, table, columns, rows, draws):
        cur = self.conn.cursor()
        cols = ", ".join(c if c.startswith('"') else f'"{c}"' for c in columns.split())
        target = table
        if "draw" in columns.split():
            # Parsing jsonb is the slow part of COPY: load draw numbers into a staging
            # table, then copy the (few, already parsed) draws over in one INSERT … SELECT.
            cur.execute("CREATE TEMP TABLE bench_draws (idx integer PRIMARY KEY, draw jsonb)")
            with cur.copy("COPY bench_draws (idx, draw) FROM STDIN") as copy:
                for idx, draw in enumerate(draws):
                    copy.write(f"{idx}\t{draw}\n")
            cur.execute(f'CREATE TEMP TABLE bench_staging (LIKE "{table}")')
            cur.execute("ALTER TABLE bench_staging ALTER COLUMN draw TYPE integer USING NULL")
            target = "bench_staging"
        with cur.copy(f'COPY "{target}" ({cols}) FROM STDIN') as copy:
            buffer = io.StringIO()
            for n, row in enumerate(rows, start=1):
                buffer.write("\t".join(_text(v) for v in row))
                buffer.write("\n")
                if n % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        if target != table:
            select = cols.replace('"draw"', "d.draw").replace('"', "")
            select = ", ".join(c if c == "d.draw" else f's."{c}"' for c in select.split(", "))
            cur.execute(
                f'INSERT INTO "{table}" ({cols}) SELECT {select} FROM bench_staging s JOIN bench_draws d ON d.idx = s.draw'  # noqa: S608 — our own table names
            )
            cur.execute("DROP TABLE bench_staging, bench_draws")

    def finish(self, tables):
        cur = self.conn.cursor()
        for table, constraints, indexes in self.saved:
            for _name, definition in indexes:
                cur.execute(definition)
            for name, definition, kind in constraints:
                if kind == "u":
                    cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for table, constraints, _indexes in self.saved:
            for name, definition, kind in constraints:
                if kind == "f":
                    cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for table in tables:
            if table == "authtoken_token":  # keyed by the token, no sequence
                continue
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 — our own table names
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )
        self.conn.commit()
        self.conn.autocommit = True
        for table in tables:
            self.conn.execute(f'VACUUM ANALYZE "{table}"')
        self.conn.close()


class SqliteLoader:
    def __init__(self, database_url):
        import sqlite3

        self.conn = sqlite3.connect(urlparse(database_url).path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -400000")
        self.saved = []

    def begin(self, tables):
        for table in tables:
            for name, sql in self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                [table],
            ).fetchall():
                self.saved.append((name, sql))
                self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.execute("BEGIN")

    def load(self, table, columns, rows, draws):
        names = columns.split()
        if "draw" in names:
            at = names.index("draw")
            rows = ((*row[:at], draws[row[at]], *row[at + 1 :]) for row in rows)
        cols = ", ".join(c if c.startswith('"') else f'"{c}"' for c in names)
        marks = ", ".join("?" * len(columns.split()))
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)  # noqa: S608 — our own table names

    def finish(self, tables):
        for _name, sql in self.saved:
            self.conn.execute(sql)
        self.conn.execute("COMMIT")
        self.conn.execute("ANALYZE")
        self.conn.close()


# -- pools ------------------------------------------------------------------------------------
def write_pools(plan, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "inprogress.tsv", "w") as out:
        # token user attempt then qid:choice,choice… per drawn question (the choices in drawn order)
        for token, uid, attempt_id, draw in plan.pool:
            items = " ".join(f"{item['q']}:{','.join(map(str, item['c']))}" for item in draw)
            out.write(f"{token} {uid} {attempt_id} {items}\n")
    for name, pool in (("rank", plan.rank_pool), ("rush", plan.rush_pool), ("spare", plan.spare_pool)):
        with open(directory / f"{name}.tsv", "w") as out:
            out.writelines(f"{token} {uid}\n" for token, uid in pool)
    meta = {
        "contest": plan.contest.slug,
        "contest_id": plan.contest.pk,
        "round_id": plan.round.pk,
        "round_number": 1,
        "participants": plan.args.participants,
        "password": BENCH_PASSWORD,
        "first_user": plan.first_user,
        "inprogress_attempts": [plan.pool[0][2], plan.pool[-1][2]] if plan.pool else None,
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=0, help="graded attempts in all (default: one each)")
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--in-progress", type=int, default=8_000)
    parser.add_argument("--rank-users", type=int, default=5_000)
    parser.add_argument("--rush-users", type=int, default=5_000)
    parser.add_argument("--spare-users", type=int, default=20)
    parser.add_argument("--pools", required=True, help="directory for the pool files")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args(argv)
    args.attempts = max(args.attempts, args.participants)

    started = time.monotonic()
    setup_django(args.database_url)
    log("migrate and seed the site and the contest")
    contest = seed_content(args.units, args.participants)
    plan = Plan(contest, args)
    postgres = args.database_url.startswith("postgres")
    loader = PostgresLoader(args.database_url) if postgres else SqliteLoader(args.database_url)
    tables = BULK_TABLES + ["quizzes_unitstanding", "quizzes_scorebucket"]
    loader.begin(BULK_TABLES)
    for table, columns, rows in build(plan):
        t = time.monotonic()
        loader.load(table, columns, rows, plan.draws)
        log(f"{table}: {len(rows):,} rows in {time.monotonic() - t:.1f} s")
    t = time.monotonic()
    loader.finish(tables)
    log(f"indexes, constraints, analyze: {time.monotonic() - t:.1f} s")
    write_pools(plan, args.pools)
    log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
