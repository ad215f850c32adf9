"""The contest JSON API v1 (see DESIGN.md, "JSON API"). Views are thin: parse,
call a service, serialize."""

import functools
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated, ParseError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from elearning.api import authentication
from elearning.api.authentication import token_key_in
from elearning.api.errors import ApiError
from elearning.api.schema import error_responses
from elearning.api.throttles import CountedThrottlesMixin
from quizzes.leaderboards import get_backend, my_rank_and_total, prefetch_my_rank, rank_or_sql, unit_board
from quizzes.leaderboards.final import final_page, final_rank, final_total
from quizzes.models import Attempt, ContestPage
from quizzes.services import attempts as attempt_service
from quizzes.services import clock, lookup
from quizzes.services.errors import ContestError, InvalidPrediction
from quizzes.services.presenters import attempt_payload, review_payload
from quizzes.services.results import is_final

from . import serializers as s
from .throttles import AttemptIPThrottle, AttemptUserThrottle

WRITE_THROTTLES = [AttemptUserThrottle, AttemptIPThrottle]
CACHED_BOARD_OFFSETS = 500  # public board pages kept briefly: the first ones, where everybody looks


def round_state(round_, moment):
    if round_.is_open(moment):
        return "open"
    return "closed" if round_.is_closed(moment) else "upcoming"


def round_data(round_, moment):
    if round_ is None:
        return None
    return {
        "number": round_.number,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "state": round_state(round_, moment),
    }


def contest_data(contest, moment, rounds):
    current = next((r for r in rounds if r.is_open(moment)), None)
    return {
        "slug": contest.slug,
        "title": contest.title,
        "current_round": round_data(current, moment),
        "questions_per_attempt": contest.questions_per_attempt,
        "time_limit_seconds": contest.time_limit_seconds,
        "attempts_per_round": contest.attempts_per_round,
    }


def live_contest(slug):
    contest = lookup.live_contest(slug)
    if contest is None:
        raise Http404
    return contest


def rendered_content_type(renderer):
    """The Content-Type DRF's ``Response`` gives a body from ``renderer``."""
    if renderer.charset is None:
        return renderer.media_type
    return f"{renderer.media_type}; charset={renderer.charset}"


class ContestApiView(CountedThrottlesMixin, APIView):
    """Turns a contest rule broken into the design's error JSON; the per-account and
    per-network limits are counted in one round trip."""

    def handle_exception(self, exc):
        if isinstance(exc, ContestError):
            exc = ApiError(exc.message, exc.code, exc.status)
        return super().handle_exception(exc)

    def rendered(self, request, data):
        """``Response(data)`` of a 200, rendered at once by the negotiated renderer: the same body
        and headers (DRF's ``finalize_response`` still adds its own), without the template
        response machinery. For the hottest answers (autosave, "my rank")."""
        renderer = request.accepted_renderer
        content = renderer.render(data, request.accepted_media_type, self.get_renderer_context())
        return HttpResponse(content, content_type=rendered_content_type(renderer))


class ContestListView(ContestApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.ContestSerializer(many=True), **error_responses(401)},
        summary="Contests, with the current round",
    )
    def get(self, request):
        moment = clock.now()
        contests = ContestPage.objects.live().public().order_by("-first_published_at").prefetch_related("rounds")
        data = [contest_data(c, moment, list(c.rounds.all())) for c in contests]
        return Response(s.ContestSerializer(data, many=True).data)


class ContestDetailView(ContestApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.ContestDetailSerializer, **error_responses(401, 404)}, summary="One contest with its rounds"
    )
    def get(self, request, slug):
        moment = clock.now()
        contest = live_contest(slug)
        rounds = contest.round_list
        data = contest_data(contest, moment, rounds) | {
            "url": contest.get_url(request) or "",
            "prediction_question": contest.prediction_question or None,
            "prediction_kind": contest.prediction_kind,
            "eligibility": contest.eligibility,
            "review": contest.review,
            "rounds": [round_data(r, moment) for r in rounds],
        }
        return Response(s.ContestDetailSerializer(data).data)


class StartAttemptView(ContestApiView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WRITE_THROTTLES

    @extend_schema(
        request=None,
        responses={201: s.AttemptSerializer, 200: s.AttemptSerializer, **error_responses(401, 403, 404, 409, 429)},
        summary="Start an attempt in the open round, or resume the one in progress",
    )
    def post(self, request, slug):
        contest = live_contest(slug)
        device = attempt_service.device_fingerprint(request)
        attempt, created = attempt_service.start_attempt(request.user, contest, device=device)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.AttemptSerializer(attempt_payload(attempt)).data, status=code)


def owned_attempt(request, attempt_id):
    """The attempt if it is the requester's; 404 for anyone else (no probing)."""
    return get_object_or_404(Attempt.objects.select_related("contest", "round"), pk=attempt_id, user=request.user)


def owned_or_404(request, attempt_id, parse):
    """``parse()``'s result. The write services check ownership themselves (their locked
    read filters by user), so a valid request costs no extra query; a refused one is
    checked here first, so someone else's attempt is a 404 whatever was sent."""
    try:
        return parse()
    except (APIException, ContestError):
        owned_attempt(request, attempt_id)
        raise


def attempt_write(service, *args):
    """Run a write service; an attempt that is missing or someone else's is a 404."""
    try:
        return service(*args)
    except Attempt.DoesNotExist:
        raise Http404 from None


class AttemptDetailView(ContestApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: s.AttemptSerializer, **error_responses(401, 404)},
        summary="The attempt: questions, saved answers, time left",
    )
    def get(self, request, attempt_id):
        attempt = owned_attempt(request, attempt_id)
        if not attempt.is_finished and not clock.within_grace(clock.now(), attempt.deadline):
            attempt = attempt_service.finish_overdue(attempt.pk)
        return Response(s.AttemptSerializer(attempt_payload(attempt)).data)


SAVED_AT = s.AnswerSerializer().fields["saved_at"]
CHOICES_INPUT = s.AnswerInputSerializer().fields["choices"]  # its bounds, read once


def plain_choices(data):
    """The choices of an autosave sent as plain JSON (``{"choices": [ids]}``, ids in range),
    else None: anything else goes through ``AnswerInputSerializer``, which also takes forms
    and numeric strings and gives the refusal. Autosaves are the most frequent write."""
    if type(data) is not dict:
        return None
    chosen = data.get("choices")
    if type(chosen) is not list or len(chosen) > CHOICES_INPUT.max_length:
        return None
    low, high = CHOICES_INPUT.child.min_value, CHOICES_INPUT.child.max_value
    if not all(type(cid) is int and low <= cid <= high for cid in chosen):
        return None
    return chosen


class AnswerView(ContestApiView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WRITE_THROTTLES

    @extend_schema(
        request=s.AnswerInputSerializer,
        responses={200: s.AnswerSerializer, **error_responses(400, 401, 404, 409, 429)},
        summary="Save one answer",
    )
    def put(self, request, attempt_id, question_id):
        def parse():
            chosen = plain_choices(request.data)
            if chosen is not None:
                return chosen
            payload = s.AnswerInputSerializer(data=request.data)
            if not payload.is_valid():
                raise ApiError(
                    _("Choices must be a list of choice ids."), "invalid_choice", status.HTTP_400_BAD_REQUEST
                )
            return payload.validated_data["choices"]

        chosen = owned_or_404(request, attempt_id, parse)
        choices, saved_at = attempt_write(attempt_service.save_answer, request.user, attempt_id, question_id, chosen)
        # What AnswerSerializer (the schema) gives, without building one per save.
        return self.rendered(
            request,
            {"question_id": question_id, "choices": choices, "saved_at": SAVED_AT.to_representation(saved_at)},
        )


class SubmitView(ContestApiView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WRITE_THROTTLES

    @extend_schema(
        request=s.SubmitInputSerializer,
        responses={200: s.SubmitResultSerializer, **error_responses(400, 401, 404, 409, 429)},
        summary="Finish the attempt",
    )
    def post(self, request, attempt_id):
        def parse():
            if not isinstance(request.data, dict):
                raise ParseError("Send a JSON object.")
            if not s.SubmitInputSerializer(data=request.data).is_valid():
                raise InvalidPrediction()  # malformed, even on a finished attempt: 400, nothing changes
            return request.data.get("prediction")

        prediction = owned_or_404(request, attempt_id, parse)
        attempt = attempt_write(attempt_service.submit_attempt, request.user, attempt_id, prediction)
        backend = get_backend()
        ranked = backend.round_rank(attempt.round_id, request.user.pk)
        ranked = rank_or_sql(backend, ranked, request.user.pk, round_id=attempt.round_id)
        data = {
            "state": attempt.state,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "duration_seconds": attempt.duration_seconds,
            "rank": ranked["rank"] if ranked else None,
        }
        return Response(s.SubmitResultSerializer(data).data)


class ReviewView(ContestApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: s.ReviewSerializer, **error_responses(401, 403, 404)},
        summary="Chosen and correct choices, once review is allowed",
    )
    def get(self, request, attempt_id):
        attempt = owned_attempt(request, attempt_id)
        return Response(s.ReviewSerializer(review_payload(attempt)).data)


BOARD_QUERY_INTEGERS = {"round": (1, 1000), "limit": (1, 500), "offset": (0, 10_000_000)}
BOARD_QUERY_CHOICES = {"scope": ("individual", "unit"), "group": ("official", "citizen")}
BOARD_QUERY_DEFAULTS = {"scope": "individual", "limit": 50, "offset": 0}


def plain_board_query(query_params):
    """The board query when every parameter is plainly valid (ASCII digits in range, a listed
    choice), else None. Boards are read far more than anything else: this spares them the
    serializer, whose field copies cost more than the Redis read. Anything else goes through
    ``LeaderboardQuerySerializer``, which gives its usual errors and the same results."""
    params = dict(BOARD_QUERY_DEFAULTS)
    for name, (low, high) in BOARD_QUERY_INTEGERS.items():
        value = query_params.get(name)
        if value is None:
            continue
        if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
            return None
        params[name] = int(value)
    for name, choices in BOARD_QUERY_CHOICES.items():
        value = query_params.get(name)
        if value is None:
            continue
        if value not in choices:
            return None
        params[name] = value
    return params


def board_query(query_params):
    params = plain_board_query(query_params)
    if params is None:
        query = s.LeaderboardQuerySerializer(data=query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
    return params


def leaderboard_params(query_params, contest):
    params = board_query(query_params)
    round_ = None
    if params.get("round") is not None:
        round_ = lookup.round_by_number(contest, params["round"])
        if round_ is None:
            raise ApiError(_("This contest has no such round."), "round_not_found", status.HTTP_404_NOT_FOUND)
    group = params.get("group", "")
    if group and not contest.separate_groups:
        raise ApiError(_("This contest ranks everyone together."), "no_groups", status.HTTP_400_BAD_REQUEST)
    final = round_ is not None and is_final(round_)
    if group and not final:
        raise ApiError(
            _("Rankings per group are published when the round closes."), "not_final", status.HTTP_400_BAD_REQUEST
        )
    return params, round_, group, final


class LeaderboardView(ContestApiView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[s.LeaderboardQuerySerializer],
        responses={200: s.LeaderboardSerializer, **error_responses(400, 404)},
        summary="Ranking of a round, or of the whole contest without round",
    )
    def get(self, request, slug):
        # The same for everybody: kept a second per process (quizzes.services.lookup).
        cache_key = (slug, request.META.get("QUERY_STRING", ""), request.accepted_media_type, get_language())
        content = lookup.board_response(cache_key)
        if content is not None:
            return HttpResponse(content, content_type=request.accepted_renderer.media_type)
        contest = live_contest(slug)
        params, round_, group, final = leaderboard_params(request.query_params, contest)
        offset, limit = params["offset"], params["limit"]
        if params["scope"] == "unit":
            rows = unit_board(contest.pk, round_.pk if round_ else None)
            total, results = len(rows), rows[offset : offset + limit]
        elif final:
            total, results = final_total(round_.pk, group), final_page(round_.pk, group, offset, limit)
        else:
            backend = get_backend()
            if round_ is not None:
                total, results = backend.round_board(round_.pk, offset, limit)
            else:
                total, results = backend.contest_board(contest.pk, offset, limit)
        data = {
            "total": total,
            "final": final,
            "round": round_.number if round_ else None,
            "scope": params["scope"],
            "results": results,
        }
        content = request.accepted_renderer.render(data, request.accepted_media_type, self.get_renderer_context())
        if offset < CACHED_BOARD_OFFSETS:
            lookup.keep_board_response(cache_key, content)
        return HttpResponse(content, content_type=request.accepted_renderer.media_type)


def my_rank_prefetch(request, slug, backend):
    """``(board, prefetched)`` for "my rank" before authentication. With an API token: the board
    asked for (contest, round, group, final), read once, and on ``backend`` the Redis one the
    token's cache entry and the person's rank on it in one round trip (``prefetch_my_rank``,
    which keeps the entry on ``request`` for authentication). A board that does not exist and a
    request without a token give ``(None, None)``: the view answers them after authentication;
    a final ranking prefetches nothing."""
    if token_key_in(request) is None:  # no token: nothing read before authentication
        return None, None
    try:
        contest = live_contest(slug)
        _params, round_, group, final = leaderboard_params(request.GET, contest)
    except (Http404, APIException):
        return None, None
    board = contest, round_, group, final
    if final:
        return board, None
    round_id = round_.pk if round_ is not None else None
    return board, prefetch_my_rank(backend, request, round_id=round_id, contest_id=contest.pk)


@dataclass
class MyRankHandover:
    """What the fast path of "my rank" read, handed to :class:`MyRankView` when it does not answer
    itself, so that nothing is read twice: the backend, the board, the prefetched rank and, when
    it got that far, ``(user id, (rank row or None, total))``."""

    backend: object
    board: tuple | None
    prefetched: object
    answer: tuple | None = None


def plain_json_accept(request, renderer):
    """True when DRF's negotiation (``ShortcutContentNegotiation``) picks ``renderer``, the view's
    first, with its own media type without looking further: no Accept, ``*/*`` or that media type,
    and no ``?format=``."""
    accept = request.META.get("HTTP_ACCEPT")
    override = api_settings.URL_FORMAT_OVERRIDE
    return (accept is None or accept == "*/*" or accept == renderer.media_type) and not (
        override and override in request.GET
    )


def my_rank_fast(request, slug, renderer, headers):
    """The common "my rank" request answered without DRF's request cycle: a GET with an API token
    that the JSON renderer satisfies, on the Redis board, whose token entry and rank the one round
    trip of ``my_rank_prefetch`` found. The same body and headers as :class:`MyRankView`'s 200
    (the parity tests compare them). Anything else returns None and the view answers, with what
    was read here (:class:`MyRankHandover` on the request)."""
    if request.method != "GET" or not plain_json_accept(request, renderer) or token_key_in(request) is None:
        return None
    backend = get_backend()
    board, prefetched = my_rank_prefetch(request, slug, backend)
    handover = request.my_rank_handover = MyRankHandover(backend, board, prefetched)
    if prefetched is None:  # no board, a final ranking, SQL, no entry read: the view reads
        return None
    user_id = authentication.prefetched_user_id(request)
    if user_id is None or user_id != prefetched.user_id:  # authentication reads the database
        return None
    contest, round_, _group, _final = board
    round_id = round_.pk if round_ is not None else None
    mine, total = my_rank_and_total(backend, user_id, round_id=round_id, contest_id=contest.pk, prefetched=prefetched)
    if mine is None:  # the view refuses with not_ranked, after authentication
        handover.answer = (user_id, (mine, total))
        return None
    content = renderer.render(my_rank_data(mine, total), renderer.media_type, {})
    response = HttpResponse(content, content_type=rendered_content_type(renderer))
    for name, value in headers.items():  # what DRF's finalize_response adds (Allow)
        response[name] = value
    return response


def my_rank_data(mine, total):
    # Plain numbers already, as MyRankSerializer (the schema) describes them.
    return {
        "rank": int(mine["rank"]),
        "total": int(total),
        "score": int(mine["score"]),
        "duration_seconds": mine["duration_ms"] / 1000,
    }


class MyRankView(ContestApiView):
    # ``as_view()`` answers the common request itself (my_rank_fast) and hands everything else
    # to the view: session auth, other Accept headers, HEAD and OPTIONS, errors, final rankings,
    # the SQL backend, a token not in the cache. (No docstring: the schema's description is
    # ContestApiView's.)
    permission_classes = [AllowAny]

    @classmethod
    def as_view(cls, **initkwargs):
        drf_view = super().as_view(**initkwargs)
        probe = cls(**initkwargs)
        probe.setup(None)
        headers = probe.default_response_headers
        if "Vary" in headers:  # several renderers: DRF patches Vary; not this view's case
            return drf_view
        renderer = probe.renderer_classes[0]()

        def view(request, *args, **kwargs):
            try:
                response = my_rank_fast(request, kwargs["slug"], renderer, headers)
            except Exception:  # noqa: BLE001 - the view answers it from scratch, with the contract's error
                for name in ("my_rank_handover", "prefetched_token_entry"):
                    request.__dict__.pop(name, None)
                response = None
            return response if response is not None else drf_view(request, *args, **kwargs)

        functools.update_wrapper(view, drf_view)  # cls, initkwargs (the schema), csrf_exempt
        view.drf_view = drf_view
        return csrf_exempt(view)

    def perform_authentication(self, request):
        """With an API token on Redis, its cache entry and the person's rank are read in one
        round trip (``my_rank_prefetch``), or were by the fast path; the board asked for is read
        once. A request for a board that does not exist prefetches nothing and is answered as
        before, after authentication; a final ranking prefetches nothing."""
        handover = request._request.__dict__.pop("my_rank_handover", None)
        if handover is None:
            handover = MyRankHandover(get_backend(), None, None)
            handover.board, handover.prefetched = my_rank_prefetch(request, self.kwargs["slug"], handover.backend)
        self.backend, self.board, self.prefetched_rank = handover.backend, handover.board, handover.prefetched
        self.answer = handover.answer
        super().perform_authentication(request)

    @extend_schema(
        parameters=[
            OpenApiParameter("round", {"type": "integer", "minimum": 1, "maximum": 1000}, required=False),
            OpenApiParameter("group", {"type": "string", "enum": ["official", "citizen"]}, required=False),
        ],
        responses={200: s.MyRankSerializer, **error_responses(400, 401, 404)},
        summary="My place in the ranking",
    )
    def get(self, request, slug):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        if self.board is not None:
            contest, round_, group, final = self.board
        else:  # raises the request's error
            contest = live_contest(slug)
            _params, round_, group, final = leaderboard_params(request.query_params, contest)
        if self.answer is not None and self.answer[0] == request.user.pk:  # read by the fast path
            mine, total = self.answer[1]
        elif final:
            mine, total = final_rank(round_.pk, request.user.pk, group), final_total(round_.pk, group)
        else:
            mine, total = my_rank_and_total(
                self.backend,  # the backend the rank was prefetched from, if it was
                request.user.pk,
                round_id=round_.pk if round_ is not None else None,
                contest_id=contest.pk,
                prefetched=self.prefetched_rank,
            )
        if mine is None:
            raise ApiError(_("You have no result in this ranking yet."), "not_ranked", status.HTTP_404_NOT_FOUND)
        return self.rendered(request, my_rank_data(mine, total))
