"""Text rules shared by the spreadsheet and the JSON formats."""

import unicodedata


def clean_text(value):
    """NFC, no surrounding spaces: what is stored."""
    return unicodedata.normalize("NFC", str(value or "")).strip()


def text_key(value):
    """Two question texts are the same question when this matches: NFC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split()).casefold()


def split_tags(value):
    """'nd-61-2018, một cửa,,nd-61-2018' -> ['nd-61-2018', 'một cửa'] (order kept, duplicates dropped)."""
    tags, seen = [], set()
    for part in str(value or "").split(","):
        tag = clean_text(part)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags
