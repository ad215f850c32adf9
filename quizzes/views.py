"""The participant's pages: contest home, start, quiz runner, result, review, boards.

Thin: every rule lives in quizzes.services; these parse, call and render.
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quizzes.leaderboards import get_backend, rank_or_sql, unit_board
from quizzes.leaderboards.final import final_page, final_rank, final_total
from quizzes.models import Attempt, PrizeGroup
from quizzes.services import attempts as attempt_service
from quizzes.services import clock
from quizzes.services.errors import ContestError, DeadlinePassed, InvalidPrediction, NotEligible
from quizzes.services.presenters import attempt_payload, review_allowed, review_payload
from quizzes.services.results import is_final

BOARD_PAGE_SIZE = 50


def contest_home(request, contest):
    moment = clock.now()
    rounds = list(contest.rounds.all())
    current = next((r for r in rounds if r.is_open(moment)), None)
    upcoming = next((r for r in rounds if r.opens_at > moment), None)
    closed = [r for r in rounds if r.is_closed(moment)]
    shown_round = current or (closed[-1] if closed else None)
    context = contest.get_context(request)
    context.update(
        current_round=current,
        next_round=upcoming,
        closed_rounds=closed,
        shown_round=shown_round,
        time_limit_minutes=math.ceil(contest.time_limit_seconds / 60),
        top=get_backend().round_page(shown_round.pk, 0, 10) if shown_round else [],
    )
    if request.user.is_authenticated:
        try:
            attempt_service.participant_profile(request.user, contest)
            context["eligible"] = True
        except NotEligible:
            context["eligible"] = False
        mine = list(Attempt.objects.filter(user=request.user, contest=contest).select_related("round"))
        context["my_attempts"] = mine
        if current is not None:
            in_round = [a for a in mine if a.round_id == current.pk]
            context["in_progress"] = next((a for a in in_round if not a.is_finished), None)
            context["attempts_left"] = max(0, contest.attempts_per_round - len(in_round))
            context["my_rank"] = get_backend().round_rank(current.pk, request.user.pk)
    return TemplateResponse(request, "quizzes/contest_page.html", context)


def start(request, contest):
    if request.method != "POST":
        return redirect(contest.get_url(request))
    if not request.user.is_authenticated:
        return redirect_to_login(contest.get_url(request))
    try:
        device = attempt_service.device_fingerprint(request)
        attempt, _created = attempt_service.start_attempt(request.user, contest, device=device)
    except ContestError as error:
        messages.error(request, error.message)
        return redirect(contest.get_url(request))
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _owned(request, attempt_id):
    return get_object_or_404(Attempt.objects.select_related("contest", "round"), pk=attempt_id, user=request.user)


def _posted_answers(request, attempt, saved):
    """The answers a no-JavaScript form changed: {question_id: [choice ids]}."""
    changed = {}
    for item in attempt.draw:
        qid = item["q"]
        if f"present_{qid}" not in request.POST:
            continue
        raw = request.POST.getlist(f"q_{qid}")
        try:
            chosen = [int(value) for value in raw]
        except ValueError:
            chosen = None  # rejected by the service as an invalid choice
        if chosen is None or sorted(chosen) != sorted(saved.get(qid, [])):
            if chosen == [] and qid not in saved:
                continue
            changed[qid] = chosen
    return changed


@login_required
@require_http_methods(["GET", "POST"])
def attempt_runner(request, attempt_id):
    attempt = _owned(request, attempt_id)
    if not attempt.is_finished and not clock.within_grace(clock.now(), attempt.deadline):
        attempt = attempt_service.finish_overdue(attempt.pk)
    if attempt.is_finished:
        return redirect("quizzes:result", attempt_id=attempt.pk)

    errors = {}
    status = 200
    if request.method == "POST":
        payload = attempt_payload(attempt)
        saved = {int(qid): choices for qid, choices in payload["answers"].items()}
        try:
            for qid, chosen in _posted_answers(request, attempt, saved).items():
                try:
                    attempt_service.save_answer(request.user, attempt.pk, qid, chosen)
                except ContestError as error:
                    if isinstance(error, DeadlinePassed):
                        raise
                    errors[qid] = error.message
            if request.POST.get("action") == "submit" and not errors:
                attempt_service.submit_attempt(request.user, attempt.pk, request.POST.get("prediction"))
                return redirect("quizzes:result", attempt_id=attempt.pk)
        except DeadlinePassed:
            messages.warning(request, _("Time is up: your attempt was graded on the answers saved in time."))
            return redirect("quizzes:result", attempt_id=attempt.pk)
        except InvalidPrediction as error:
            errors["prediction"] = error.message
        except ContestError as error:
            messages.error(request, error.message)
        if errors:
            status = 400
        elif request.POST.get("action") != "submit":
            messages.success(request, _("Your answers are saved."))
            return redirect("quizzes:attempt", attempt_id=attempt.pk)

    payload = attempt_payload(attempt)
    answered = {int(qid): choices for qid, choices in payload["answers"].items()}
    questions = [
        dict(question, number=index, saved=answered.get(question["id"], []), error=errors.get(question["id"]))
        for index, question in enumerate(payload["questions"], start=1)
    ]
    context = {
        "attempt": attempt,
        "contest": attempt.contest,
        "page": attempt.contest,
        "questions": questions,
        "answered_count": len([q for q in questions if q["saved"]]),
        "seconds_left": payload["seconds_left"],
        "minutes_left": math.ceil(payload["seconds_left"] / 60),
        "prediction_error": errors.get("prediction"),
        "prediction_value": request.POST.get("prediction", "") if request.method == "POST" else "",
        "api_base": reverse("api-attempt", kwargs={"attempt_id": attempt.pk}),
    }
    return TemplateResponse(request, "quizzes/attempt.html", context, status=status)


@login_required
def attempt_result(request, attempt_id):
    attempt = _owned(request, attempt_id)
    if not attempt.is_finished:
        if clock.within_grace(clock.now(), attempt.deadline):
            return redirect("quizzes:attempt", attempt_id=attempt.pk)
        attempt = attempt_service.finish_overdue(attempt.pk)
    contest = attempt.contest
    backend = get_backend()
    mine = rank_or_sql(
        backend, backend.round_rank(attempt.round_id, request.user.pk), request.user.pk, round_id=attempt.round_id
    )
    in_round = Attempt.objects.filter(user=request.user, round=attempt.round).count()
    context = {
        "attempt": attempt,
        "contest": contest,
        "page": contest,
        "rank": mine,
        "total": backend.round_total(attempt.round_id),
        "best_is_this": bool(mine) and mine["score"] == attempt.score and mine["duration_ms"] == attempt.duration_ms,
        "can_review": review_allowed(attempt),
        "can_retry": attempt.round.is_open() and in_round < contest.attempts_per_round,
    }
    return TemplateResponse(request, "quizzes/result.html", context)


@login_required
def attempt_review(request, attempt_id):
    attempt = _owned(request, attempt_id)
    context = {"attempt": attempt, "contest": attempt.contest, "page": attempt.contest}
    try:
        context["review"] = review_payload(attempt)
    except ContestError as error:
        context["refusal"] = error.message
        return TemplateResponse(request, "quizzes/review.html", context, status=403)
    return TemplateResponse(request, "quizzes/review.html", context)


def leaderboard(request, contest):
    rounds = list(contest.rounds.all())
    moment = clock.now()
    round_param = request.GET.get("round", "")
    scope = "unit" if request.GET.get("scope") == "unit" else "individual"
    if round_param == "all":
        round_ = None
    elif round_param:
        round_ = next((r for r in rounds if str(r.number) == round_param), None)
        if round_ is None:
            raise Http404
    else:
        started = [r for r in rounds if r.opens_at <= moment]
        round_ = started[-1] if started else None
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    offset = (page_number - 1) * BOARD_PAGE_SIZE
    backend = get_backend()
    mine = None
    # A finalized round shows its stored final ranking (prediction tie-break), per group where the contest has groups.
    final = round_ is not None and scope == "individual" and is_final(round_)
    group = request.GET.get("group", "") if final and contest.separate_groups else ""
    if group not in (PrizeGroup.OFFICIAL, PrizeGroup.CITIZEN):
        group = ""
    if scope == "unit":
        rows = unit_board(contest.pk, round_.pk if round_ else None)
        total, results = len(rows), rows[offset : offset + BOARD_PAGE_SIZE]
        my_unit = getattr(getattr(request.user, "profile", None), "unit", None)
        my_code = my_unit.code if my_unit else None
        for row in results:
            row["is_me"] = row["code"] == my_code
    else:
        if final:
            total, results = final_total(round_.pk, group), final_page(round_.pk, group, offset, BOARD_PAGE_SIZE)
            if request.user.is_authenticated:
                mine = final_rank(round_.pk, request.user.pk, group)
        elif round_ is not None:
            total, results = backend.round_board(round_.pk, offset, BOARD_PAGE_SIZE)  # one statement in SQL
            if request.user.is_authenticated:
                mine = backend.round_rank(round_.pk, request.user.pk)
        else:
            total, results = backend.contest_board(contest.pk, offset, BOARD_PAGE_SIZE)
            if request.user.is_authenticated:
                mine = backend.contest_rank(contest.pk, request.user.pk)
        for row in results:
            row["is_me"] = bool(mine) and row["rank"] == mine["rank"]
    pages = max(1, math.ceil(total / BOARD_PAGE_SIZE))
    context = contest.get_context(request)
    context.update(
        rounds=rounds,
        board_round=round_,
        scope=scope,
        results=results,
        total=total,
        mine=mine,
        my_page=(mine["rank"] - 1) // BOARD_PAGE_SIZE + 1 if mine else None,
        page_number=page_number,
        pages=pages,
        previous_page=page_number - 1 if page_number > 1 else None,
        next_page=page_number + 1 if page_number < pages else None,
        round_param="all" if round_ is None else round_.number,
        final=final,
        group=group,
        group_choices=PrizeGroup.choices if final and contest.separate_groups else [],
    )
    return TemplateResponse(request, "quizzes/leaderboard.html", context)
