"""Row shapes shared by both backends (what the API and pages show)."""

from django.utils.translation import gettext as _


def public_name(user):
    """The name a public board shows: the registered full name, never the username (a phone)."""
    profile = getattr(user, "profile", None)
    return profile.full_name if profile else _("Participant #%(id)s") % {"id": user.pk}


def individual_row(rank, name, unit_name, score, duration_ms):
    return {
        "rank": rank,
        "name": name,
        "unit": unit_name,
        "score": score,
        "duration_seconds": round(duration_ms / 1000, 3),
    }
