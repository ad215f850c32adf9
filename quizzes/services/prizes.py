"""Prizes: a reviewable draft the organizer confirms.

People: each finalized round awards, per participant group, the counts its contest's
prize rules give (e.g. 1 first, 2 second, 3 third, 5 consolation). One person keeps
only their highest prize in the contest: levels are filled from the highest down,
across all rounds, each going to the best-ranked person of that round and group who
holds no prize yet. A confirmed prize is final: its holder is passed over later.
Units: contest-wide, units at or above the minimum participation rate, by
participation rate then average score.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from elearning.models import Unit
from quizzes.leaderboards import unit_board
from quizzes.models import PRIZE_ORDER, FinalStanding, PrizeAward, Round
from quizzes.services.errors import ContestError

Status = PrizeAward.Status


class NothingToAward(ContestError):
    code, status, message = "nothing_to_award", 409, _("No round has a final ranking yet.")


def _rules(contest):
    rules = defaultdict(dict)
    for rule in contest.prize_rules.all():
        if rule.count:
            rules[rule.group][rule.level] = rule.count
    return rules


def eligible_units(contest):
    minimum = float(contest.unit_min_participation)
    rows = [
        row for row in unit_board(contest.pk, fresh=True) if row["headcount"] and row["participation_rate"] >= minimum
    ]
    rows.sort(key=lambda r: (-r["participation_rate"], -r["average_score"], -r["participants"], r["code"]))
    return rows


def draft_prizes(contest, user=None):
    """Replace the draft with a fresh allocation; confirmed awards are kept as they are."""
    rounds = list(Round.objects.filter(contest=contest, result__finalized_at__isnull=False).order_by("number"))
    if not rounds:
        raise NothingToAward()
    rules = _rules(contest)
    with transaction.atomic():
        PrizeAward.objects.filter(contest=contest, status=Status.DRAFT).delete()
        confirmed = list(PrizeAward.objects.filter(contest=contest, status=Status.CONFIRMED))
        holders = {award.user_id for award in confirmed if award.user_id}
        taken = defaultdict(int)
        for award in confirmed:
            taken[(award.round_id, award.group, award.level)] += 1
        tables = defaultdict(list)
        for row in (
            FinalStanding.objects.filter(round__in=rounds)
            .order_by("rank")
            .values_list("round_id", "group", "rank", "user_id")
        ):
            tables[(row[0], row[1])].append((row[2], row[3]))

        drafts = []
        for level in PRIZE_ORDER:
            for round_ in rounds:
                for group, counts in rules.items():
                    free = counts.get(level, 0) - taken[(round_.pk, group, level)]
                    for rank, user_id in tables[(round_.pk, group)]:
                        if free <= 0:
                            break
                        if user_id in holders:
                            continue
                        holders.add(user_id)
                        free -= 1
                        drafts.append(
                            PrizeAward(
                                contest=contest, round=round_, group=group, level=level, user_id=user_id, rank=rank
                            )
                        )

        confirmed_units = {award.unit_id for award in confirmed if award.unit_id}
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        candidates = [row for row in eligible_units(contest) if unit_ids[row["code"]] not in confirmed_units]
        free = max(0, contest.unit_prize_count - len(confirmed_units))
        for position, row in enumerate(candidates[:free], start=len(confirmed_units) + 1):
            level = PRIZE_ORDER[min(position, len(PRIZE_ORDER)) - 1]
            drafts.append(
                PrizeAward(
                    contest=contest, round=None, group="", level=level, unit_id=unit_ids[row["code"]], rank=position
                )
            )
        PrizeAward.objects.bulk_create(drafts)
        log(instance=contest, action="quizzes.draft_prizes", user=user, data={"awards": len(drafts)})
    return drafts


def confirm_prizes(contest, user=None):
    with transaction.atomic():
        count = PrizeAward.objects.filter(contest=contest, status=Status.DRAFT).update(
            status=Status.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=user
        )
        log(instance=contest, action="quizzes.confirm_prizes", user=user, data={"awards": count})
    return count


def winners(contest):
    """Confirmed awards for the public winners page: names and units only."""
    return (
        PrizeAward.objects.filter(contest=contest, status=Status.CONFIRMED)
        .select_related("round", "user__profile", "unit")
        .order_by("round__number", "group", "rank")
    )
