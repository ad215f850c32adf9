"""Unit rankings from the per-unit aggregates (a row per unit, never a GROUP BY)."""

from elearning.models import Unit
from quizzes.models import UnitStanding


def unit_board(contest_id, round_id=None):
    """All units with a headcount or participants, ranked: participation rate desc,
    participants desc, average score desc, code asc."""
    aggregates = {
        row.unit_id: row
        for row in UnitStanding.objects.filter(contest_id=contest_id, round_id=round_id)
        if round_id is not None or row.round_id is None
    }
    rows = []
    units = Unit.objects.open_now() | Unit.objects.filter(pk__in=list(aggregates))
    for unit in units.only("code", "name", "headcount").distinct():
        aggregate = aggregates.get(unit.pk)
        participants = aggregate.participants if aggregate else 0
        if not unit.headcount and not participants:
            continue
        average = aggregate.average_score if aggregate else 0.0
        rate = participants / unit.headcount if unit.headcount else 0.0
        rows.append(
            {
                "rank": None,
                "code": unit.code,
                "name": unit.name,
                "participants": participants,
                "headcount": unit.headcount,
                "participation_rate": round(rate, 4),
                "average_score": round(average, 2),
            }
        )
    rows.sort(key=lambda r: (-r["participation_rate"], -r["participants"], -r["average_score"], r["code"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
