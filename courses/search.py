"""Diacritic-insensitive search: Vietnamese text folded to lowercase ASCII.

"mot cua" and "một cửa" fold to the same words, so a plain ``icontains`` on a
folded column finds both on SQLite and PostgreSQL alike.
"""

import re
from functools import reduce
from operator import and_

from anyascii import anyascii
from django.db.models import Q

_SPACES = re.compile(r"\s+")
MAX_QUERY_WORDS = 8


def fold(text):
    """``"Một cửa liên thông"`` → ``"mot cua lien thong"``."""
    return _SPACES.sub(" ", anyascii(str(text or "")).lower()).strip()


def query_words(query):
    """The distinct folded words of a search query, at most ``MAX_QUERY_WORDS``."""
    words = []
    for word in fold(query).split(" "):
        if word and word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def search_filter(query, field="search_text"):
    """A ``Q`` matching rows whose folded ``field`` contains every word of ``query``."""
    words = query_words(query)
    if not words:
        return Q()
    return reduce(and_, (Q(**{f"{field}__icontains": word}) for word in words))
