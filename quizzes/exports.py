"""The organizer's results workbooks (.xlsx): rankings, prizes, units, attempts, feedback.

They carry personal data (phone, email, national ID) and are served only by the admin
(quizzes.admin_results, logged as ``quizzes.export``). Every cell goes through
``elearning.spreadsheets.safe_cell`` (via ``workbook_response``), so a name typed as
``=HYPERLINK(...)`` stays text. Times are local (Asia/Ho_Chi_Minh), without a zone:
spreadsheet programs have none.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.models import (
    Attempt,
    ContestStanding,
    FinalStanding,
    PrizeAward,
    PrizeGroup,
    PrizeLevel,
    Standing,
    UnitStanding,
)
from quizzes.services import feedback as feedback_service
from quizzes.services.analytics import unit_participation
from quizzes.services.results import is_final


@dataclass
class Export:
    filename: str
    sheet_title: str
    headers: list
    rows: list


def local(moment):
    """Local time to the second, without a zone (spreadsheet programs have none)."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def seconds(duration_ms):
    return None if duration_ms is None else round(duration_ms / 1000, 3)


def percent(share):
    return None if share is None else round(share * 100, 2)


def yes_no(value):
    return _("Yes") if value else _("No")


def person_headers():
    return [_("Full name"), _("Unit"), _("Group"), _("Phone"), _("Email"), _("National ID")]


def person_cells(user, unit=None):
    """Name, unit, group, phone, email and national ID of ``user`` (profile selected)."""
    profile = getattr(user, "profile", None) if user else None
    if profile is None:
        return [user.get_username() if user else "", unit.name if unit else "", "", "", user.email if user else "", ""]
    unit = unit or profile.unit
    return [
        profile.full_name,
        unit.name if unit else "",
        group_label(profile.kind),
        profile.phone,
        user.email,
        profile.national_id or "",
    ]


def group_label(group):
    return PrizeGroup(group).label if group in PrizeGroup.values else group


def round_ranking(round_, group=""):
    """The round's final ranking (of a group when given), or its live ranking before it is final."""
    contest = round_.contest
    final = is_final(round_)
    headers = [_("Rank"), *person_headers()]
    headers += [_("Score"), _("Maximum score"), _("Prediction"), _("Prediction distance")]
    headers += [_("Duration (s)"), _("Finished at"), _("Attempt")]
    rows = []
    if final:
        standings = (
            FinalStanding.objects.filter(round=round_, group=group)
            .select_related("user__profile__unit", "unit", "attempt")
            .order_by("rank")
        )
        for s in standings:
            rows.append(
                [s.rank, *person_cells(s.user, s.unit), s.score, s.attempt.max_score, s.prediction]
                + [s.prediction_distance, seconds(s.duration_ms), local(s.attempt.submitted_at), s.attempt_id]
            )
    else:
        standings = (
            Standing.objects.filter(round=round_)
            .select_related("user__profile__unit", "unit", "attempt")
            .order_by("-score", "duration_ms", "submitted_ms", "user_id")
        )
        for rank, s in enumerate(standings, start=1):
            rows.append(
                [rank, *person_cells(s.user, s.unit), s.score, s.attempt.max_score, s.attempt.prediction, None]
                + [seconds(s.duration_ms), local(s.attempt.submitted_at), s.attempt_id]
            )
    state = "final" if final else "live"
    suffix = f"-{group}" if final and group else ""
    return Export(
        filename=f"{contest.slug}-round-{round_.number}-{state}{suffix}.xlsx",
        sheet_title=f"{_('Round')} {round_.number}",
        headers=headers,
        rows=rows,
    )


def contest_ranking(contest):
    """Contest-wide: total of round-best scores, then total duration; each round's score
    and, for rounds whose ranking is final, the prediction distance."""
    rounds = list(contest.rounds.select_related("result").order_by("number"))
    final_rounds = {r.pk for r in rounds if is_final(r)}
    scores, distances = {}, {}
    for round_id, user_id, score in (
        Standing.objects.filter(round__in=rounds)
        .exclude(round__in=final_rounds)
        .values_list("round_id", "user_id", "score")
    ):
        scores[(round_id, user_id)] = score
    for round_id, user_id, score, distance in FinalStanding.objects.filter(
        round__in=final_rounds, group=""
    ).values_list("round_id", "user_id", "score", "prediction_distance"):
        scores[(round_id, user_id)] = score
        distances[(round_id, user_id)] = distance
    headers = [_("Rank"), *person_headers(), _("Total score"), _("Rounds taken"), _("Total duration (s)")]
    for r in rounds:
        headers.append(_("Round %(number)s score") % {"number": r.number})
        if r.pk in final_rounds:
            headers.append(_("Round %(number)s prediction distance") % {"number": r.number})
    rows = []
    standings = (
        ContestStanding.objects.filter(contest=contest)
        .select_related("user__profile__unit", "unit")
        .order_by("-score", "duration_ms", "user_id")
    )
    for rank, s in enumerate(standings, start=1):
        row = [rank, *person_cells(s.user, s.unit), s.score, s.rounds, seconds(s.duration_ms)]
        for r in rounds:
            row.append(scores.get((r.pk, s.user_id)))
            if r.pk in final_rounds:
                row.append(distances.get((r.pk, s.user_id)))
        rows.append(row)
    return Export(f"{contest.slug}-contest-ranking.xlsx", _("Contest ranking"), headers, rows)


def prize_list(contest):
    headers = [_("Status"), _("Prize"), _("Round"), _("Group"), _("Rank"), _("Winner"), *person_headers()[1:]]
    headers.append(_("Confirmed at"))
    rows = []
    awards = (
        PrizeAward.objects.filter(contest=contest)
        .select_related("round", "user__profile__unit", "unit")
        .order_by("status", "unit_id", "round__number", "group", "rank")
    )
    for award in awards:
        if award.user_id:
            cells = person_cells(award.user)
            winner, details = cells[0], cells[1:]
        else:
            winner, details = award.unit.name, ["", "", "", "", ""]
        rows.append(
            [
                PrizeAward.Status(award.status).label,
                PrizeLevel(award.level).label,
                award.round.number if award.round else _("Units"),
                group_label(award.group),
                award.rank,
                winner,
                *details,
                local(award.confirmed_at),
            ]
        )
    return Export(f"{contest.slug}-prizes.xlsx", _("Prizes"), headers, rows)


def unit_table(contest):
    """Units against their headcount, contest-wide, with each round's participants."""
    rounds = list(contest.rounds.order_by("number"))
    per_round = {
        (round_id, unit_id): participants
        for round_id, unit_id, participants in UnitStanding.objects.filter(
            contest=contest, round__isnull=False
        ).values_list("round_id", "unit__code", "participants")
    }
    headers = [_("Rank"), _("Code"), _("Unit"), _("Headcount"), _("Participants"), _("Participation rate (%)")]
    headers += [_("Average score"), _("Below the minimum rate"), _("Eligible for a unit prize")]
    headers += [_("Round %(number)s participants") % {"number": r.number} for r in rounds]
    rows = []
    for row in unit_participation(contest):
        rows.append(
            [
                row["rank"],
                row["code"],
                row["name"],
                row["headcount"],
                row["participants"],
                percent(row["participation_rate"]) if row["headcount"] else None,
                row["average_score"],
                yes_no(row["lagging"]),
                yes_no(bool(row["headcount"]) and not row["lagging"]),
                *(per_round.get((r.pk, row["code"]), 0) for r in rounds),
            ]
        )
    return Export(f"{contest.slug}-units.xlsx", _("Units"), headers, rows)


def attempt_list(contest, round_=None):
    """Every attempt, for audit: times, duration, state, score, prediction, device hash."""
    attempts = Attempt.objects.filter(contest=contest)
    if round_ is not None:
        attempts = attempts.filter(round=round_)
    attempts = attempts.select_related("round", "unit", "user__profile__unit").order_by(
        "round__number", "started_at", "pk"
    )
    headers = [_("Attempt"), _("Round"), _("Attempt number"), *person_headers(), _("State")]
    headers += [_("Started at"), _("Deadline"), _("Finished at"), _("Duration (s)"), _("Score"), _("Maximum score")]
    headers += [_("Prediction"), _("Device")]
    rows = [
        [
            a.pk,
            a.round.number,
            a.number,
            *person_cells(a.user, a.unit),
            Attempt.State(a.state).label,
            local(a.started_at),
            local(a.deadline),
            local(a.submitted_at),
            seconds(a.duration_ms),
            a.score,
            a.max_score,
            a.prediction,
            a.device,
        ]
        for a in attempts.iterator(chunk_size=2000)
    ]
    name = f"{contest.slug}-attempts" + (f"-round-{round_.number}" if round_ is not None else "") + ".xlsx"
    return Export(name, _("Attempts"), headers, rows)


def feedback_table(round_, request=None):
    """Each unit's most missed questions of a closed round, with what teaches them."""
    headers = [_("Unit code"), _("Unit"), _("Participants"), _("Question"), _("Topic"), _("Answered")]
    headers += [_("Wrong"), _("Share wrong (%)"), _("Taught in"), _("Links")]
    rows = []
    for unit in feedback_service.unit_feedback(round_, request=request):
        for question in unit.questions:
            urls = [request.build_absolute_uri(link.url) if request else link.url for link in question.links]
            rows.append(
                [
                    unit.code,
                    unit.name,
                    unit.participants,
                    question.text,
                    question.topic,
                    question.seen,
                    question.wrong,
                    percent(question.share_wrong),
                    "; ".join(f"{link.kind_label}: {link.title}" for link in question.links),
                    "\n".join(urls),
                ]
            )
    contest = round_.contest
    return Export(f"{contest.slug}-round-{round_.number}-feedback.xlsx", _("Feedback"), headers, rows)
