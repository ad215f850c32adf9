"""Leaderboards in Redis sorted sets, rebuilt from the database when needed.

Round board ``lb:r:<round>``: value = score * 1e9 + (1e9 - 1 - duration_ms); ties on
value are broken by the member, which ZREVRANGE reads in reverse byte order, so the
member encodes (submitted_ms asc, user_id asc) inverted: ``<K - submitted_ms>:<K - user_id>``.
A hash ``:m`` maps user id -> member and ``:rows`` member -> display row (name, unit).
Contest board ``lb:c:<contest>`` likewise with total score and total duration, and a hash
``:v`` user id -> the version of the contest standing shown (a push older than it is refused).
A key ``:meta`` exists only once a board was built from the database: without it
(Redis restarted empty, or an outage marked the round stale) SQL answers until the board
is rebuilt. A request rebuilds only a small board (``LEADERBOARD_REQUEST_REBUILD_MAX``
standings, well under a second); a bigger one is left to ``manage.py rebuild_leaderboards``
and to ``close_expired_attempts``, which rebuilds missing or stale boards every minute from
cron (docs/operations.md).

Reads and writes are one round trip each (Lua scripts): a page is EXISTS meta + ZCARD +
ZREVRANGE + HMGET, a rank is EXISTS meta + ZCARD + HGET + ZREVRANK + HGET, and a graded
attempt updates both its boards (and drops its previous member) in one call. "My rank" with
an API token reads the token's cache entry in that same call (``prefetch_rank_with_token``).
"""

import json
import logging
import time
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from elearning.api import authentication
from quizzes.models import ContestPage, ContestStanding, Round, RoundResult, Standing
from quizzes.services import lookup

from .bulk import BoardLoader
from .rows import NAME_COLUMNS, NAME_UNKNOWN, display_json, display_name, individual_row
from .sql import SqlLeaderboard

logger = logging.getLogger(__name__)

SCORE_SCALE = 1_000_000_000
DURATION_CAP = SCORE_SCALE - 1
TIME_K = 9_999_999_999_999
USER_K = 999_999_999_999
STALE_MEMO_SECONDS = 2.0
REBUILD_CHUNK = 20_000
REQUEST_REBUILD_MAX = 50_000  # default of settings.LEADERBOARD_REQUEST_REBUILD_MAX
REQUEST_LOCK_SECONDS = 30  # no request outlives gunicorn's 30 s timeout
COMMAND_LOCK_SECONDS = 900
JOURNAL_LENGTH = 100_000
NOT_BUILT = object()


@dataclass(frozen=True)
class PrefetchedRank:
    """The rank script's answer for ``user_id`` on the board ``key``, read with the request's
    token (:meth:`RedisLeaderboard.prefetch_rank_with_token`) before authentication."""

    key: str
    user_id: int
    found: object


_stale_memo = {}  # round id -> (stale, when)
_contest_stale_memo = {}  # contest id -> (stale round ids, when)
_size_memo = {}  # board key -> (too big to rebuild in a request, when)

# KEYS: per board key, key:m, key:rows, key:j, key:v; ARGV: user id, then per board member,
# value, row, version ("" for a round board). A contest board keeps in key:v the version of
# each person's contest standing it shows and refuses an older one: two pushes of one person
# that cross after their commits (two rounds graded at once) end with the newest totals.
_PUSH = """
local user = ARGV[1]
for i = 0, #KEYS / 5 - 1 do
  local key, m, rows, journal, versions = KEYS[5 * i + 1], KEYS[5 * i + 2], KEYS[5 * i + 3], KEYS[5 * i + 4], KEYS[5 * i + 5]
  local member, version = ARGV[4 * i + 2], ARGV[4 * i + 5]
  local older = false
  if version ~= '' then
    local shown = redis.call('HGET', versions, user)
    older = shown and tonumber(shown) > tonumber(version)
    if not older then redis.call('HSET', versions, user, version) end
  end
  if not older then
    local old = redis.call('HGET', m, user)
    if old and old ~= member then
      redis.call('ZREM', key, old)
      redis.call('HDEL', rows, old)
    end
    redis.call('ZADD', key, ARGV[4 * i + 3], member)
    redis.call('HSET', m, user, member)
    redis.call('HSET', rows, member, ARGV[4 * i + 4])
    redis.call('LPUSH', journal, user)
    redis.call('LTRIM', journal, 0, JOURNAL_LAST)
  end
end
return 1
""".replace("JOURNAL_LAST", str(JOURNAL_LENGTH - 1))

# KEYS: key, key:meta, key:rows; ARGV: start, stop. Nil when the board is not built.
_BOARD = """
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local members = redis.call('ZREVRANGE', KEYS[1], ARGV[1], ARGV[2])
local total = redis.call('ZCARD', KEYS[1])
if #members == 0 then return {total, {}} end
return {total, redis.call('HMGET', KEYS[3], unpack(members))}
"""

# rank_of(key, key:meta, key:m, key:rows, user id): nil when the board is not built,
# {total} when the user has no place, {total, rank (0-based), row} otherwise.
_RANK_OF = """
local function rank_of(key, meta, m, rows, user)
  if redis.call('EXISTS', meta) == 0 then return false end
  local total = redis.call('ZCARD', key)
  local member = redis.call('HGET', m, user)
  if not member then return {total} end
  local rank = redis.call('ZREVRANK', key, member)
  local row = redis.call('HGET', rows, member)
  if not rank or not row then return {total} end
  return {total, rank, row}
end
"""

# KEYS: key, key:meta, key:m, key:rows; ARGV: user id.
_RANK = _RANK_OF + "return rank_of(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1])"

# KEYS: key, key:meta, key:m, key:rows, an API token's cache entry. {entry} when the entry is
# missing or not one authentication accepts without the database, else {entry, its user id,
# rank_of(that user)}: "my rank" with its token in one round trip.
_RANK_FOR_TOKEN = (
    authentication.LUA_TOKEN_USER
    + _RANK_OF
    + """
local raw = redis.call('GET', KEYS[5])
local user = token_user(raw)
if not user then return {raw} end
return {raw, user, rank_of(KEYS[1], KEYS[2], KEYS[3], KEYS[4], user)}
"""
)

_scripts = {}


def _script(redis, source):
    """A registered script: EVALSHA, loaded again by redis-py when Redis answers NOSCRIPT
    (after a restart). Always called with ``client=`` the connection at hand."""
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = redis.register_script(source)
    return script


def _prefix():
    return settings.LEADERBOARD_REDIS_PREFIX


def round_key(round_id):
    return f"{_prefix()}r:{round_id}"


def contest_key(contest_id):
    return f"{_prefix()}c:{contest_id}"


def round_value(score, duration_ms):
    return score * SCORE_SCALE + (DURATION_CAP - min(duration_ms, DURATION_CAP))


def contest_value(score, duration_ms):
    return score * SCORE_SCALE * 1000 + (DURATION_CAP * 1000 - min(duration_ms, DURATION_CAP * 1000))


def round_member(submitted_ms, user_id):
    return f"{TIME_K - submitted_ms:013d}:{USER_K - user_id:012d}"


def contest_member(user_id):
    return f"{USER_K - user_id:012d}"


# Columns read per standing, for the rebuild and for a push.
ROUND_COLUMNS = ("user_id", "score", "duration_ms", "submitted_ms", *NAME_COLUMNS[1:])
CONTEST_COLUMNS = ("user_id", "score", "duration_ms", *NAME_COLUMNS[1:], "version")


# The two encoders below are the hot loop of a rebuild (a million calls per board): they inline
# round_member / round_value / contest_member / contest_value (tests hold them equal).


def _round_entry(user_id, score, duration_ms, submitted_ms, full_name, unit_name):
    """(member, value, display row, version) as the bytes Redis keeps, for a push and for a
    rebuild; a round board keeps no versions (b"")."""
    name = full_name if full_name is not None else display_name(user_id, None)
    return (
        b"%013d:%012d" % (TIME_K - submitted_ms, USER_K - user_id),
        b"%d" % (score * SCORE_SCALE + DURATION_CAP - (duration_ms if duration_ms < DURATION_CAP else DURATION_CAP)),
        display_json(name, unit_name or "", score, duration_ms).encode(),
        b"",
    )


def _contest_entry(user_id, score, duration_ms, full_name, unit_name, version):
    name = full_name if full_name is not None else display_name(user_id, None)
    cap = DURATION_CAP * 1000
    return (
        b"%012d" % (USER_K - user_id),
        b"%d" % (score * SCORE_SCALE * 1000 + cap - (duration_ms if duration_ms < cap else cap)),
        display_json(name, unit_name or "", score, duration_ms).encode(),
        b"%d" % version,
    )


def _connection():
    return get_redis_connection("default")


def request_rebuild_max():
    return getattr(settings, "LEADERBOARD_REQUEST_REBUILD_MAX", REQUEST_REBUILD_MAX)


def forget_memos():
    _stale_memo.clear()
    _contest_stale_memo.clear()
    _size_memo.clear()


lookup.on_forget(forget_memos)


def _memo(memo, key, compute):
    entry = memo.get(key)
    now = time.monotonic()
    if entry is None or now - entry[1] > STALE_MEMO_SECONDS:
        entry = memo[key] = (compute(), now)
    return entry[0]


@contextmanager
def clearing_stale(contest_id, round_ids):
    """Around a rebuild of these rounds' boards and their contest's: their stale marks are
    cleared first, so that a push failing meanwhile marks its round again (and a later
    rebuild catches it), and set again if the rebuild fails."""
    round_ids = list(round_ids)
    if round_ids:
        RoundResult.objects.filter(round_id__in=round_ids, leaderboard_stale=True).update(leaderboard_stale=False)
    try:
        yield
    except BaseException:
        if round_ids:
            RoundResult.objects.filter(round_id__in=round_ids).update(leaderboard_stale=True)
        raise
    finally:
        for round_id in round_ids:
            _stale_memo.pop(round_id, None)
        _contest_stale_memo.pop(contest_id, None)


def _mark_stale(contest_id, round_id):
    RoundResult.objects.update_or_create(round_id=round_id, defaults={"leaderboard_stale": True})
    _stale_memo.pop(round_id, None)
    _contest_stale_memo.pop(contest_id, None)


class RedisLeaderboard:
    name = "redis"

    def __init__(self):
        self.sql = SqlLeaderboard()

    # -- writes -----------------------------------------------------------------
    def push(self, contest_id, round_id, user_id, round_standing=None, contest_standing=None, full_name=NAME_UNKNOWN):
        """Write a person's round and contest standings to both boards in one round trip.

        ``round_standing`` (score, duration_ms, submitted_ms, unit_id), ``contest_standing``
        (score, duration_ms, version, unit_id) and ``full_name`` are what ``standings.record`` wrote
        under the rows' locks and what the grading read with the attempt: given, nothing is
        read again (unit names are in memory). What is missing is read after the commit.
        The contest board refuses a version older than the one it shows, so when two rounds
        of one person are graded at once and their pushes cross, the newest totals stay.
        """
        try:
            entries = self._entries(contest_id, round_id, user_id, round_standing, contest_standing, full_name)
            if entries:
                self._write(_connection(), user_id, entries)
        except RedisError:
            logger.warning("Redis unavailable: round %s marked stale, SQL serves it", round_id)
            _mark_stale(contest_id, round_id)

    def _entries(self, contest_id, round_id, user_id, round_standing, contest_standing=None, full_name=NAME_UNKNOWN):
        """[(board key, (member, value, row, version))] for the round and contest boards."""
        if round_standing is None or contest_standing is None or full_name is NAME_UNKNOWN:
            return self._entries_read(contest_id, round_id, user_id, round_standing)
        from .units import unit_names

        score, duration_ms, submitted_ms, unit_id = round_standing
        total_score, total_duration, version, contest_unit_id = contest_standing
        names = unit_names({unit_id, contest_unit_id} - {None})
        return [
            (
                round_key(round_id),
                _round_entry(user_id, score, duration_ms, submitted_ms, full_name, names.get(unit_id)),
            ),
            (
                contest_key(contest_id),
                _contest_entry(user_id, total_score, total_duration, full_name, names.get(contest_unit_id), version),
            ),
        ]

    def _entries_read(self, contest_id, round_id, user_id, round_standing):
        """The entries from the database: the contest standing with the person's name (and
        its version) in one query, and the round standing too when not given."""
        contest = (
            ContestStanding.objects.filter(contest_id=contest_id, user_id=user_id).values_list(*CONTEST_COLUMNS).first()
        )
        entries = [(contest_key(contest_id), _contest_entry(*contest))] if contest else []
        if round_standing is None or contest is None:
            found = Standing.objects.filter(round_id=round_id, user_id=user_id).values_list(*ROUND_COLUMNS).first()
            if found:
                entries.insert(0, (round_key(round_id), _round_entry(*found)))
            return entries
        from .units import unit_names

        score, duration_ms, submitted_ms, unit_id = round_standing
        full_name = contest[3]
        unit_name = unit_names({unit_id}).get(unit_id) if unit_id is not None else None
        entries.insert(
            0, (round_key(round_id), _round_entry(user_id, score, duration_ms, submitted_ms, full_name, unit_name))
        )
        return entries

    def _write(self, redis, user_id, entries, client=None):
        keys, args = [], [user_id]
        for key, (member, value, row, version) in entries:
            keys += [key, f"{key}:m", f"{key}:rows", f"{key}:j", f"{key}:v"]
            args += [member, value, row, version]
        _script(redis, _PUSH)(keys=keys, args=args, client=client or redis)

    # -- rebuild ----------------------------------------------------------------
    def rebuild_round(self, round_id, chunk=REBUILD_CHUNK):
        count = self._rebuild(
            round_key(round_id),
            Standing.objects.filter(round_id=round_id).values_list(*ROUND_COLUMNS),
            _round_entry,
            lambda user_ids: self._replay(
                round_key(round_id), Standing.objects.filter(round_id=round_id), ROUND_COLUMNS, _round_entry, user_ids
            ),
            chunk,
        )
        return count

    def rebuild_stale(self, contest_id, round_ids):
        """Rebuild rounds marked stale and the contest board (a push that failed missed both).
        Returns [(round id, or None for the contest board, count, seconds)]."""
        done = []
        with clearing_stale(contest_id, round_ids):
            for round_id, rebuild, pk in [
                *((r, self.rebuild_round, r) for r in round_ids),
                (None, self.rebuild_contest, contest_id),
            ]:
                started = time.monotonic()
                count = rebuild(pk)
                done.append((round_id, count, time.monotonic() - started))
        return done

    def rebuild_contest(self, contest_id, chunk=REBUILD_CHUNK):
        standings = ContestStanding.objects.filter(contest_id=contest_id)
        count = self._rebuild(
            contest_key(contest_id),
            standings.values_list(*CONTEST_COLUMNS),
            _contest_entry,
            lambda user_ids: self._replay(
                contest_key(contest_id), standings, CONTEST_COLUMNS, _contest_entry, user_ids
            ),
            chunk,
            versioned=True,
        )
        return count

    def _rebuild(self, key, rows, encode, replay, chunk, versioned=False):
        """Stream the standings into temporary keys (one round trip per chunk: a ZADD and two
        HSETs, and a third for a contest board's versions), swap them in atomically with
        ``:meta`` last, then replay what changed meanwhile."""
        redis = _connection()
        redis.delete(f"{key}:j")
        tmp = f"{key}:building:{time.time_ns()}"
        count = 0
        try:
            # One snapshot, read in chunks through a server-side cursor on PostgreSQL: inside a
            # transaction it streams (outside one, WITH HOLD, it would materialise the whole result
            # first). No ORDER BY: the snapshot makes the order irrelevant, and sorting a million
            # rows doubled the time of the query.
            streaming = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
            with streaming, BoardLoader(redis, tmp, versioned) as loader:
                standings = rows.order_by().iterator(chunk_size=chunk)
                while batch := list(islice(standings, chunk)):
                    count += loader.add([(b"%d" % row[0], *encode(*row)) for row in batch])
            swap = redis.pipeline(transaction=True)
            swap.set(f"{tmp}:meta", count)
            for suffix in ("", ":m", ":rows", *([":v"] if versioned else [])):
                # UNLINK frees the old board in the background (a RENAME over a million-entry
                # key would free it synchronously and stall Redis).
                swap.unlink(f"{key}{suffix}")
                if count:  # an empty sorted set or hash does not exist in Redis
                    swap.rename(f"{tmp}{suffix}", f"{key}{suffix}")
            swap.rename(f"{tmp}:meta", f"{key}:meta")
            swap.execute()
        except BaseException:
            with suppress(RedisError):
                redis.unlink(tmp, f"{tmp}:m", f"{tmp}:rows", f"{tmp}:v", f"{tmp}:meta")
            raise
        replayed = {int(raw) for raw in redis.lrange(f"{key}:j", 0, -1)}
        if replayed:
            replay(replayed)
        return count

    def _replay(self, key, standings, columns, encode, user_ids):
        """Write again the standings of people graded while a rebuild ran."""
        redis = _connection()
        pipe = redis.pipeline(transaction=False)
        ids = sorted(user_ids)
        for start in range(0, len(ids), 1000):
            for row in standings.filter(user_id__in=ids[start : start + 1000]).values_list(*columns):
                self._write(redis, row[0], [(key, encode(*row))], client=pipe)
        pipe.execute()

    def rebuild_missing(self, contests=None):
        """Rebuild the boards of ``contests`` (default: the live ones) that are missing in Redis
        or marked stale; returns [(contest, round or None for contest-wide, count, seconds)].
        A query and one EXISTS per board when all is well."""
        contests = ContestPage.objects.live() if contests is None else contests
        redis = _connection()
        done = []
        for contest in contests:
            rounds = list(Round.objects.filter(contest=contest).order_by("number"))
            stale = set(
                RoundResult.objects.filter(round__in=rounds, leaderboard_stale=True).values_list("round_id", flat=True)
            )
            pipe = redis.pipeline(transaction=False)
            for round_ in rounds:
                pipe.exists(f"{round_key(round_.pk)}:meta")
            pipe.exists(f"{contest_key(contest.pk)}:meta")
            built = pipe.execute()
            jobs = [
                (round_, round_key(round_.pk), self.rebuild_round, round_.pk)
                for round_, exists in zip(rounds, built[:-1], strict=True)
                if round_.pk not in stale and not exists
            ]
            if stale:
                jobs.append((None, contest_key(contest.pk), self.rebuild_stale, contest.pk, sorted(stale)))
            elif not built[-1]:
                jobs.append((None, contest_key(contest.pk), self.rebuild_contest, contest.pk))
            by_id = {round_.pk: round_ for round_ in rounds}
            for round_, key, rebuild, *args in jobs:
                started = time.monotonic()
                count = self.rebuild_locked(key, rebuild, *args, force=False)
                if count is None:  # being rebuilt elsewhere right now
                    continue
                if isinstance(count, list):  # rebuild_stale: the stale rounds, then the contest
                    done += [(contest, by_id.get(pk), n, seconds) for pk, n, seconds in count]
                else:
                    done.append((contest, round_, count, time.monotonic() - started))
        return done

    def rebuild_locked(self, key, rebuild, *args, force=True):
        """Out of band (the command): rebuild under the lock requests take, so that none starts
        the same rebuild meanwhile. ``force`` takes the lock whoever holds it (a lock left by a
        killed worker must not stop the operator); otherwise a held lock skips the board (None)."""
        redis = _connection()
        if not redis.set(f"{key}:lock", "command", nx=not force, ex=COMMAND_LOCK_SECONDS):
            return None
        try:
            return rebuild(*args)
        finally:
            redis.delete(f"{key}:lock")

    # -- reads ------------------------------------------------------------------
    def _stale(self, round_id):
        return _memo(
            _stale_memo,
            round_id,
            lambda: RoundResult.objects.filter(round_id=round_id, leaderboard_stale=True).exists(),
        )

    def _stale_rounds(self, contest_id):
        return _memo(
            _contest_stale_memo,
            contest_id,
            lambda: list(
                RoundResult.objects.filter(round__contest_id=contest_id, leaderboard_stale=True).values_list(
                    "round_id", flat=True
                )
            ),
        )

    def _rebuild_in_request(self, lock, key, standings, rebuild, *args):
        """Rebuild a missing or stale board here only if it is small (``standings``, the biggest
        board rebuilt, has at most LEADERBOARD_REQUEST_REBUILD_MAX rows); one process at a time
        (the short lock ``lock``), the others answer from SQL meanwhile. Whether it was rebuilt."""
        limit = request_rebuild_max()
        too_big = _memo(_size_memo, key, lambda: standings.order_by()[limit : limit + 1].exists())
        if too_big:
            return False
        redis = _connection()
        if not redis.set(f"{lock}:lock", "request", nx=True, ex=REQUEST_LOCK_SECONDS):
            return False
        try:
            rebuild(*args)
        finally:
            redis.delete(f"{lock}:lock")
        return True

    def _on_round(self, round_id, read):
        """``read(key)`` on the round's board, rebuilding a small board first if needed;
        NOT_BUILT when SQL must answer."""
        key = round_key(round_id)
        if not self._stale(round_id):
            result = read(key)
            if result is not NOT_BUILT:
                return result
            standings = Standing.objects.filter(round_id=round_id)
            rebuilt = self._rebuild_in_request(key, key, standings, self.rebuild_round, round_id)
        else:  # the contest board missed the same writes: both are rebuilt
            contest_id = Round.objects.filter(pk=round_id).values_list("contest_id", flat=True).first()
            standings = ContestStanding.objects.filter(contest_id=contest_id)
            lock = contest_key(contest_id)
            rebuilt = self._rebuild_in_request(lock, key, standings, self.rebuild_stale, contest_id, [round_id])
        return read(key) if rebuilt else NOT_BUILT

    def _on_contest(self, contest_id, read):
        key = contest_key(contest_id)
        stale_rounds = self._stale_rounds(contest_id)
        if not stale_rounds:
            result = read(key)
            if result is not NOT_BUILT:
                return result
        # Every round standing has a contest standing: the contest board is the bigger one.
        standings = ContestStanding.objects.filter(contest_id=contest_id)
        if stale_rounds:
            rebuilt = self._rebuild_in_request(key, key, standings, self.rebuild_stale, contest_id, stale_rounds)
        else:
            rebuilt = self._rebuild_in_request(key, key, standings, self.rebuild_contest, contest_id)
        return read(key) if rebuilt else NOT_BUILT

    def _read_board(self, offset, limit):
        def read(key):
            redis = _connection()
            if limit <= 0:  # (ZREVRANGE 0 -1 would be the whole board)
                total = self._read_total(key)
                return total if total is NOT_BUILT else (total, [])
            found = _script(redis, _BOARD)(
                keys=[key, f"{key}:meta", f"{key}:rows"], args=[offset, offset + limit - 1], client=redis
            )
            if found is None:
                return NOT_BUILT
            total, rows = found
            page = []
            for rank, raw in enumerate(rows, start=offset + 1):
                data = json.loads(raw)
                page.append(individual_row(rank, data["n"], data["u"], data["s"], data["d"]))
            return total, page

        return read

    @staticmethod
    def _read_total(key):
        pipe = _connection().pipeline(transaction=False)
        pipe.exists(f"{key}:meta")
        pipe.zcard(key)
        built, total = pipe.execute()
        return total if built else NOT_BUILT

    def _read_rank(self, user_id, prefetched=None):
        # The prefetched answer stands for the first read only (not one after a rebuild).
        pending = [prefetched] if prefetched is not None else []

        def read(key):
            ready = pending.pop() if pending else None
            if ready is not None and (ready.key, ready.user_id) == (key, user_id):
                found = ready.found
            else:
                redis = _connection()
                found = _script(redis, _RANK)(
                    keys=[key, f"{key}:meta", f"{key}:m", f"{key}:rows"], args=[user_id], client=redis
                )
            if found is None:
                return NOT_BUILT
            if len(found) == 1:
                return None, found[0]
            total, rank, raw = found
            data = json.loads(raw)
            return {"rank": rank + 1, "score": data["s"], "duration_ms": data["d"]}, total

        return read

    def _round(self, round_id, read, fallback):
        try:
            result = self._on_round(round_id, read)
            if result is not NOT_BUILT:
                return result
        except RedisError:
            pass
        return fallback()

    def _contest(self, contest_id, read, fallback):
        try:
            result = self._on_contest(contest_id, read)
            if result is not NOT_BUILT:
                return result
        except RedisError:
            pass
        return fallback()

    def round_board(self, round_id, offset=0, limit=50):
        return self._round(
            round_id, self._read_board(offset, limit), lambda: self.sql.round_board(round_id, offset, limit)
        )

    def contest_board(self, contest_id, offset=0, limit=50):
        return self._contest(
            contest_id, self._read_board(offset, limit), lambda: self.sql.contest_board(contest_id, offset, limit)
        )

    def round_rank_and_total(self, round_id, user_id, prefetched=None):
        """``prefetched``: a :class:`PrefetchedRank`, used only if it is this user's on this board."""
        return self._round(
            round_id,
            self._read_rank(user_id, prefetched),
            lambda: self.sql.round_rank_and_total(round_id, user_id),
        )

    def contest_rank_and_total(self, contest_id, user_id, prefetched=None):
        return self._contest(
            contest_id,
            self._read_rank(user_id, prefetched),
            lambda: self.sql.contest_rank_and_total(contest_id, user_id),
        )

    def prefetch_rank_with_token(self, request, *, round_id=None, contest_id=None):
        """Read the request's API token entry and, when it is valid, its user's rank and the
        total on the round's board (else the contest's), in one round trip; the entry is kept
        for authentication. A :class:`PrefetchedRank`, or None (no token, no valid entry, Redis
        unreachable): then the rank is read as usual."""
        key = round_key(round_id) if round_id is not None else contest_key(contest_id)

        def read(entry_key):
            redis = _connection()
            try:
                found = _script(redis, _RANK_FOR_TOKEN)(
                    keys=[key, f"{key}:meta", f"{key}:m", f"{key}:rows", entry_key], client=redis
                )
            except RedisError:
                return None
            if len(found) < 2:
                return found[0], None
            return found[0], PrefetchedRank(key, int(found[1]), found[2])

        return authentication.prefetch_entry(request, read)

    def round_total(self, round_id):
        return self._round(round_id, self._read_total, lambda: self.sql.round_total(round_id))

    def round_page(self, round_id, offset=0, limit=50):
        return self.round_board(round_id, offset, limit)[1]

    def round_rank(self, round_id, user_id):
        return self.round_rank_and_total(round_id, user_id)[0]

    def contest_total(self, contest_id):
        return self._contest(contest_id, self._read_total, lambda: self.sql.contest_total(contest_id))

    def contest_page(self, contest_id, offset=0, limit=50):
        return self.contest_board(contest_id, offset, limit)[1]

    def contest_rank(self, contest_id, user_id):
        return self.contest_rank_and_total(contest_id, user_id)[0]
