"""Row shapes shared by both backends (what the API and pages show)."""

from json.encoder import encode_basestring

from django.utils.translation import gettext as _

# Columns that give a board row without building model instances: (user id, full name or
# None when the user has no profile, unit name or None).
NAME_COLUMNS = ("user_id", "user__profile__full_name", "unit__name")

# A push's full name when the grading did not read it (None is "no profile").
NAME_UNKNOWN = object()


def display_name(user_id, full_name):
    """The name a public board shows: the registered full name, never the username (a phone)."""
    return full_name if full_name is not None else _("Participant #%(id)s") % {"id": user_id}


def public_name(user):
    profile = getattr(user, "profile", None)
    return display_name(user.pk, profile.full_name if profile else None)


def individual_row(rank, name, unit_name, score, duration_ms):
    return {
        "rank": rank,
        "name": name,
        "unit": unit_name,
        "score": score,
        "duration_seconds": round(duration_ms / 1000, 3),
    }


def display_json(name, unit_name, score, duration_ms):
    """The display row a Redis board keeps per member: byte for byte what
    ``json.dumps({"n": name, "u": unit_name, "s": score, "d": duration_ms}, ensure_ascii=False)``
    gives, without building a dict and walking the encoder (the rebuild writes millions)."""
    return (
        f'{{"n": {encode_basestring(name)}, "u": {encode_basestring(unit_name)}, "s": {score:d}, "d": {duration_ms:d}}}'
    )
