"""Final rankings of closed rounds, served once computed (``"final": true``)."""

from quizzes.models import FinalStanding

from .rows import NAME_COLUMNS, display_name, individual_row


def final_total(round_id, group=""):
    return FinalStanding.objects.filter(round_id=round_id, group=group).count()


def final_page(round_id, group="", offset=0, limit=50):
    rows = FinalStanding.objects.filter(
        round_id=round_id, group=group, rank__gt=offset, rank__lte=offset + limit
    ).order_by("rank")
    return [
        individual_row(rank, display_name(user_id, full_name), unit_name or "", score, duration_ms)
        for rank, user_id, full_name, unit_name, score, duration_ms in rows.values_list(
            "rank", *NAME_COLUMNS, "score", "duration_ms"
        )
    ]


def final_rank(round_id, user_id, group=""):
    mine = (
        FinalStanding.objects.filter(round_id=round_id, group=group, user_id=user_id)
        .values_list("rank", "score", "duration_ms")
        .first()
    )
    if mine is None:
        return None
    rank, score, duration_ms = mine
    return {"rank": rank, "score": score, "duration_ms": duration_ms}
