"""Loading a whole board into Redis fast (``rebuild_leaderboards``: a million standings per board).

redis-py encodes and frames every argument in Python (~1 µs each); a board is three
arguments-pairs per standing (ZADD score member, HSET user member, HSET member row),
so for a million standings that alone took ten seconds. Here each chunk's three
commands are framed in a few ``bytes`` operations, written on one pooled connection,
and their replies are read only after the next chunk was fetched and encoded: Redis
inserts one chunk while Python prepares the next.
"""

from redis.exceptions import ResponseError

PAIR = b"$%d\r\n%s\r\n$%d\r\n%s\r\n"


def command(name, key, pairs):
    """The Redis protocol (RESP) for ``name key a1 b1 a2 b2 …`` from ``pairs`` of bytes,
    exactly what redis-py would send for the same arguments."""
    return head(name, key, len(pairs)) + b"".join([PAIR % (len(a), a, len(b), b) for a, b in pairs])


def head(name, key, pairs):
    return b"*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (2 + 2 * pairs, len(name), name, len(key), key)


class BoardLoader:
    """Writes chunks of ``(user id, member, value, row, version)`` bytes into ``key``, ``key:m``
    and ``key:rows`` (and ``key:v``, user id -> version, when ``versioned``: a contest board);
    one round trip per chunk, overlapped with the preparation of the next.

    Use as a context manager; ``add(chunk)`` returns the chunk's size."""

    def __init__(self, redis, key, versioned=False):
        self.pool = redis.connection_pool
        self.keys = (key.encode(), f"{key}:m".encode(), f"{key}:rows".encode())
        self.versions = f"{key}:v".encode() if versioned else None
        self.connection = None
        self.pending = 0

    def __enter__(self):
        self.connection = self.pool.get_connection()
        return self

    def add(self, chunk):
        if not chunk:
            return 0
        key, members, rows = self.keys
        n = len(chunk)
        packed = [  # what command() gives, without building the pairs first
            head(b"ZADD", key, n) + b"".join([PAIR % (len(v), v, len(m), m) for _u, m, v, _r, _n in chunk]),
            head(b"HSET", members, n) + b"".join([PAIR % (len(u), u, len(m), m) for u, m, _v, _r, _n in chunk]),
            head(b"HSET", rows, n) + b"".join([PAIR % (len(m), m, len(r), r) for _u, m, _v, r, _n in chunk]),
        ]
        if self.versions is not None:
            packed.append(
                head(b"HSET", self.versions, n)
                + b"".join([PAIR % (len(u), u, len(v), v) for u, _m, _x, _r, v in chunk])
            )
        self._wait()
        self.connection.send_packed_command(packed)
        self.pending = len(packed)
        return len(chunk)

    def _wait(self):
        """Read the replies of the chunk sent before (each raises if it is an error)."""
        while self.pending:
            self.pending -= 1
            reply = self.connection.read_response()
            if isinstance(reply, ResponseError):
                raise reply

    def __exit__(self, exc_type, exc, traceback):
        try:
            if exc_type is None:
                self._wait()
        finally:
            if exc_type is not None or self.pending:
                self.connection.disconnect()  # unread replies: never hand this socket back as it is
            self.pool.release(self.connection)
        return False
