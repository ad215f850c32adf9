"""Unit rankings from the per-unit aggregates (a row per unit, never a GROUP BY).

The units themselves (code, name, headcount, validity) change a few times a year: each
process keeps them for ``UNITS_TTL_SECONDS`` instead of reading every open unit on each
request; saving or deleting a unit clears this process's copy at once.
"""

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from elearning.models import Unit
from quizzes.models import UnitStanding
from quizzes.services import lookup

UNITS_TTL_SECONDS = 60.0
_units = {}  # "all" -> ({unit id: (code, name, headcount, valid_from, valid_to)}, when)
_lock = threading.Lock()


def _load():
    rows = {
        pk: (code, name, headcount, valid_from, valid_to)
        for pk, code, name, headcount, valid_from, valid_to in Unit.objects.values_list(
            "pk", "code", "name", "headcount", "valid_from", "valid_to"
        )
    }
    with _lock:
        _units["all"] = (rows, time.monotonic())
    return rows


def all_units(fresh=False, needed=()):
    """Every unit by id; read again when older than the TTL, when ``fresh``, or when one of
    ``needed`` is not in this process's copy (a unit created since)."""
    entry = _units.get("all")
    if fresh or entry is None or time.monotonic() - entry[1] > UNITS_TTL_SECONDS:
        return _load()
    if any(unit_id not in entry[0] for unit_id in needed):
        return _load()
    return entry[0]


def unit_names(unit_ids):
    units = all_units(needed=unit_ids)
    return {unit_id: units[unit_id][1] for unit_id in unit_ids if unit_id in units}


def forget():
    with _lock:
        _units.clear()


lookup.on_forget(forget)


@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
def _unit_changed(sender, **kwargs):
    forget()


def unit_board(contest_id, round_id=None, fresh=False):
    """All units with a headcount or participants, ranked: participation rate desc,
    participants desc, average score desc, code asc. ``fresh`` reads the units from the
    database rather than this process's short-lived copy (prizes)."""
    aggregates = {
        unit_id: (participants, score_sum)
        for unit_id, participants, score_sum in UnitStanding.objects.filter(
            contest_id=contest_id, round_id=round_id
        ).values_list("unit_id", "participants", "score_sum")
    }
    units = all_units(fresh=fresh, needed=aggregates)
    today = timezone.localdate()
    rows = []
    for unit_id, (code, name, headcount, valid_from, valid_to) in units.items():
        is_open = (valid_from is None or valid_from <= today) and (valid_to is None or valid_to >= today)
        if not is_open and unit_id not in aggregates:
            continue
        participants, score_sum = aggregates.get(unit_id, (0, 0))
        if not headcount and not participants:
            continue
        average = score_sum / participants if participants else 0.0
        rate = participants / headcount if headcount else 0.0
        rows.append(
            {
                "rank": None,
                "code": code,
                "name": name,
                "participants": participants,
                "headcount": headcount,
                "participation_rate": round(rate, 4),
                "average_score": round(average, 2),
            }
        )
    rows.sort(key=lambda r: (-r["participation_rate"], -r["participants"], -r["average_score"], r["code"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
