"""Public results pages: the winners of a contest, once the organizer has confirmed them.

Names and units only — never phones, emails or ID numbers — and never a draft.
"""

from itertools import groupby

from django.template.response import TemplateResponse

from quizzes.models import PRIZE_ORDER, PrizeGroup
from quizzes.services.prizes import winners as confirmed_awards


def winners(request, contest):
    awards = list(confirmed_awards(contest).select_related("user__profile__unit"))
    people = [a for a in awards if a.user_id]
    units = sorted((a for a in awards if a.unit_id), key=lambda a: a.rank)
    rounds = []
    for round_, in_round in groupby(people, key=lambda a: a.round):
        in_round = list(in_round)
        groups = []
        for group, in_group in groupby(in_round, key=lambda a: a.group):
            in_group = sorted(in_group, key=lambda a: (PRIZE_ORDER.index(a.level), a.rank))
            rows = [
                {
                    "level": award.get_level_display(),
                    "rank": award.rank,
                    "name": award.user.profile.full_name if hasattr(award.user, "profile") else "",
                    "unit": award.user.profile.unit.name
                    if hasattr(award.user, "profile") and award.user.profile.unit
                    else "",
                }
                for award in in_group
            ]
            groups.append({"label": PrizeGroup(group).label if group else "", "rows": rows})
        rounds.append({"number": round_.number, "groups": groups})
    context = contest.get_context(request)
    context.update(
        winner_rounds=rounds,
        unit_winners=[{"level": a.get_level_display(), "rank": a.rank, "name": a.unit.name} for a in units],
        announced=bool(awards),
    )
    return TemplateResponse(request, "quizzes/winners.html", context)
