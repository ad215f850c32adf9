"""Final rankings of closed rounds, served once computed (``"final": true``)."""

from quizzes.models import FinalStanding

from .rows import individual_row, public_name


def _name(standing):
    return public_name(standing.user)


def final_total(round_id, group=""):
    return FinalStanding.objects.filter(round_id=round_id, group=group).count()


def final_page(round_id, group="", offset=0, limit=50):
    rows = (
        FinalStanding.objects.filter(round_id=round_id, group=group, rank__gt=offset, rank__lte=offset + limit)
        .select_related("user__profile", "unit")
        .order_by("rank")
    )
    return [individual_row(s.rank, _name(s), s.unit.name if s.unit else "", s.score, s.duration_ms) for s in rows]


def final_rank(round_id, user_id, group=""):
    mine = FinalStanding.objects.filter(round_id=round_id, group=group, user_id=user_id).first()
    if mine is None:
        return None
    return {"rank": mine.rank, "score": mine.score, "duration_ms": mine.duration_ms}
