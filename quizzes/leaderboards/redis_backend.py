"""Leaderboards in Redis sorted sets, rebuilt from the database when needed.

Round board ``lb:r:<round>``: value = score * 1e9 + (1e9 - 1 - duration_ms); ties on
value are broken by the member, which ZREVRANGE reads in reverse byte order, so the
member encodes (submitted_ms asc, user_id asc) inverted: ``<K - submitted_ms>:<K - user_id>``.
A hash ``:m`` maps user id -> member and ``:rows`` member -> display row (name, unit).
Contest board ``lb:c:<contest>`` likewise with total score and total duration.
A key ``:meta`` exists only once a board was built from the database: without it
(Redis restarted empty, or an outage marked the round stale) the board is rebuilt
before Redis is trusted again, and SQL answers in the meantime.
"""

import json
import logging
import time

from django.conf import settings
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from quizzes.models import ContestStanding, RoundResult, Standing

from .rows import individual_row, public_name
from .sql import SqlLeaderboard

logger = logging.getLogger(__name__)

SCORE_SCALE = 1_000_000_000
DURATION_CAP = SCORE_SCALE - 1
TIME_K = 9_999_999_999_999
USER_K = 999_999_999_999
STALE_MEMO_SECONDS = 2.0

_stale_memo = {}


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


def _display(standing):
    name = public_name(standing.user)
    return json.dumps(
        {"n": name, "u": standing.unit.name if standing.unit else "", "s": standing.score, "d": standing.duration_ms},
        ensure_ascii=False,
    )


def _connection():
    return get_redis_connection("default")


class RedisLeaderboard:
    name = "redis"

    def __init__(self):
        self.sql = SqlLeaderboard()

    # -- writes -----------------------------------------------------------------
    def push(self, contest_id, round_id, user_id):
        try:
            self._push_round(round_id, user_id)
            self._push_contest(contest_id, user_id)
        except RedisError:
            logger.warning("Redis unavailable: round %s marked stale, SQL serves it", round_id)
            RoundResult.objects.update_or_create(round_id=round_id, defaults={"leaderboard_stale": True})
            _stale_memo.pop(round_id, None)

    def _push_round(self, round_id, user_id):
        standing = (
            Standing.objects.select_related("user__profile", "unit").filter(round_id=round_id, user_id=user_id).first()
        )
        if standing is None:
            return
        key = round_key(round_id)
        self._write(
            key,
            user_id,
            round_member(standing.submitted_ms, user_id),
            round_value(standing.score, standing.duration_ms),
            _display(standing),
        )

    def _push_contest(self, contest_id, user_id):
        standing = (
            ContestStanding.objects.select_related("user__profile", "unit")
            .filter(contest_id=contest_id, user_id=user_id)
            .first()
        )
        if standing is None:
            return
        self._write(
            contest_key(contest_id),
            user_id,
            contest_member(user_id),
            contest_value(standing.score, standing.duration_ms),
            _display(standing),
        )

    def _write(self, key, user_id, member, value, row):
        redis = _connection()
        old = redis.hget(f"{key}:m", user_id)
        pipe = redis.pipeline(transaction=True)
        if old is not None and old.decode() != member:
            pipe.zrem(key, old)
            pipe.hdel(f"{key}:rows", old)
        pipe.zadd(key, {member: value})
        pipe.hset(f"{key}:m", user_id, member)
        pipe.hset(f"{key}:rows", member, row)
        # Journal of recent writes, replayed after a rebuild swaps its keys in.
        pipe.lpush(f"{key}:j", user_id)
        pipe.ltrim(f"{key}:j", 0, 99_999)
        pipe.execute()

    # -- rebuild ----------------------------------------------------------------
    def rebuild_round(self, round_id, chunk=20_000):
        standings = Standing.objects.filter(round_id=round_id).select_related("user__profile", "unit")
        count = self._rebuild(
            round_key(round_id),
            standings.order_by("pk"),
            lambda s: (round_member(s.submitted_ms, s.user_id), round_value(s.score, s.duration_ms)),
            lambda user_id: self._push_round(round_id, user_id),
            chunk,
        )
        RoundResult.objects.filter(round_id=round_id).update(leaderboard_stale=False)
        _stale_memo.pop(round_id, None)
        return count

    def rebuild_contest(self, contest_id, chunk=20_000):
        standings = ContestStanding.objects.filter(contest_id=contest_id).select_related("user__profile", "unit")
        return self._rebuild(
            contest_key(contest_id),
            standings.order_by("pk"),
            lambda s: (contest_member(s.user_id), contest_value(s.score, s.duration_ms)),
            lambda user_id: self._push_contest(contest_id, user_id),
            chunk,
        )

    def _rebuild(self, key, queryset, encode, replay, chunk):
        """Fill temporary keys, swap them in atomically, then replay what changed meanwhile."""
        redis = _connection()
        redis.delete(f"{key}:j")
        tmp = f"{key}:building:{time.time_ns()}"
        count = 0
        pipe = redis.pipeline(transaction=False)
        for standing in queryset.iterator(chunk_size=chunk):
            member, value = encode(standing)
            pipe.zadd(tmp, {member: value})
            pipe.hset(f"{tmp}:m", standing.user_id, member)
            pipe.hset(f"{tmp}:rows", member, _display(standing))
            count += 1
            if count % chunk == 0:
                pipe.execute()
        pipe.set(f"{tmp}:meta", count)
        pipe.execute()
        swap = redis.pipeline(transaction=True)
        for suffix in ("", ":m", ":rows"):
            if count:
                swap.rename(f"{tmp}{suffix}", f"{key}{suffix}")
            else:  # an empty sorted set or hash does not exist in Redis
                swap.delete(f"{key}{suffix}")
        swap.rename(f"{tmp}:meta", f"{key}:meta")
        swap.execute()
        for user_id in {int(raw) for raw in redis.lrange(f"{key}:j", 0, -1)}:
            replay(user_id)
        return count

    # -- reads ------------------------------------------------------------------
    def _usable(self, redis, key, round_id=None):
        if round_id is not None and self._stale(round_id):
            return False
        return bool(redis.exists(f"{key}:meta"))

    def _stale(self, round_id):
        memo = _stale_memo.get(round_id)
        now = time.monotonic()
        if memo is None or now - memo[1] > STALE_MEMO_SECONDS:
            stale = RoundResult.objects.filter(round_id=round_id, leaderboard_stale=True).exists()
            memo = _stale_memo[round_id] = (stale, now)
        return memo[0]

    def _try_rebuild(self, redis, key, rebuild, *args):
        """One process rebuilds (under a short lock); the others answer from SQL."""
        if redis.set(f"{key}:lock", "1", nx=True, ex=120):
            try:
                rebuild(*args)
            finally:
                redis.delete(f"{key}:lock")
            return True
        return False

    def _page(self, key, offset, limit):
        redis = _connection()
        members = redis.zrevrange(key, offset, offset + limit - 1)
        if not members:
            return []
        rows = redis.hmget(f"{key}:rows", members)
        page = []
        for i, raw in enumerate(rows):
            data = json.loads(raw)
            page.append(individual_row(offset + i + 1, data["n"], data["u"], data["s"], data["d"]))
        return page

    def _rank(self, key, user_id):
        redis = _connection()
        member = redis.hget(f"{key}:m", user_id)
        if member is None:
            return None
        pipe = redis.pipeline(transaction=False)
        pipe.zrevrank(key, member)
        pipe.hget(f"{key}:rows", member)
        rank, raw = pipe.execute()
        if rank is None or raw is None:
            return None
        data = json.loads(raw)
        return {"rank": rank + 1, "score": data["s"], "duration_ms": data["d"]}

    def _ready_round(self, round_id):
        redis = _connection()
        key = round_key(round_id)
        if self._usable(redis, key, round_id):
            return key
        self._try_rebuild(redis, key, self.rebuild_round, round_id)
        return key if self._usable(redis, key, round_id) else None

    def _ready_contest(self, contest_id):
        redis = _connection()
        key = contest_key(contest_id)
        stale_rounds = list(
            RoundResult.objects.filter(round__contest_id=contest_id, leaderboard_stale=True).values_list(
                "round_id", flat=True
            )
        )
        if not stale_rounds and redis.exists(f"{key}:meta"):
            return key
        if self._try_rebuild(redis, key, self.rebuild_contest, contest_id):
            for round_id in stale_rounds:
                self.rebuild_round(round_id)
            return key
        return None

    def _board(self, key, offset, limit):
        """Total and one page in two round trips: (EXISTS meta, ZCARD, ZREVRANGE), then HMGET."""
        redis = _connection()
        pipe = redis.pipeline(transaction=False)
        pipe.exists(f"{key}:meta")
        pipe.zcard(key)
        pipe.zrevrange(key, offset, offset + limit - 1)
        built, total, members = pipe.execute()
        if not built:
            return None
        rows = redis.hmget(f"{key}:rows", members) if members else []
        page = []
        for i, raw in enumerate(rows):
            data = json.loads(raw)
            page.append(individual_row(offset + i + 1, data["n"], data["u"], data["s"], data["d"]))
        return total, page

    def round_board(self, round_id, offset=0, limit=50):
        try:
            if not self._stale(round_id):
                board = self._board(round_key(round_id), offset, limit)
                if board is not None:
                    return board
            key = self._ready_round(round_id)
            if key:
                return self._board(key, offset, limit) or self.sql.round_board(round_id, offset, limit)
        except RedisError:
            pass
        return self.sql.round_board(round_id, offset, limit)

    def contest_board(self, contest_id, offset=0, limit=50):
        try:
            key = self._ready_contest(contest_id)
            if key:
                board = self._board(key, offset, limit)
                if board is not None:
                    return board
        except RedisError:
            pass
        return self.sql.contest_board(contest_id, offset, limit)

    def round_total(self, round_id):
        try:
            key = self._ready_round(round_id)
            if key:
                return _connection().zcard(key)
        except RedisError:
            pass
        return self.sql.round_total(round_id)

    def round_page(self, round_id, offset=0, limit=50):
        try:
            key = self._ready_round(round_id)
            if key:
                return self._page(key, offset, limit)
        except RedisError:
            pass
        return self.sql.round_page(round_id, offset, limit)

    def round_rank(self, round_id, user_id):
        try:
            key = self._ready_round(round_id)
            if key:
                return self._rank(key, user_id)
        except RedisError:
            pass
        return self.sql.round_rank(round_id, user_id)

    def contest_total(self, contest_id):
        try:
            key = self._ready_contest(contest_id)
            if key:
                return _connection().zcard(key)
        except RedisError:
            pass
        return self.sql.contest_total(contest_id)

    def contest_page(self, contest_id, offset=0, limit=50):
        try:
            key = self._ready_contest(contest_id)
            if key:
                return self._page(key, offset, limit)
        except RedisError:
            pass
        return self.sql.contest_page(contest_id, offset, limit)

    def contest_rank(self, contest_id, user_id):
        try:
            key = self._ready_contest(contest_id)
            if key:
                return self._rank(key, user_id)
        except RedisError:
            pass
        return self.sql.contest_rank(contest_id, user_id)
