"""Contest results in the Wagtail admin (menu "Contest" → "Results"): the organizer's
dashboard per contest, closing rounds, drafting and confirming prizes, and the .xlsx exports.

Who: organizers — anyone holding ``quizzes.view_attempt`` (the Organizer group has it from
quizzes/migrations/0002_roles.py; superusers have every permission). Other admin users (a
trainer, a reviewer) get 403; people without admin access (learners) never get past
Wagtail's own gate. Changes are POST-only and CSRF-protected; every organizer action and
every export is written to the audit log (Reports → Site history).
"""

import hashlib

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from elearning import pagecache
from elearning.spreadsheets import workbook_response
from quizzes import exports
from quizzes.models import Attempt, AttemptState, ContestPage, FinalStanding, PrizeAward, PrizeGroup, Standing
from quizzes.services import analytics, feedback, integrity, prizes, results
from quizzes.services.errors import ContestError
from quizzes.templatetags.quizzes_charts import Chart, Point, format_value
from quizzes.wagtail_hooks import CONTEST_MENU_HOOK

RESULTS_PERMISSION = "quizzes.view_attempt"
EXPORT_KINDS = ("round", "contest", "prizes", "units", "attempts", "feedback")


def can_view_results(user):
    return user.is_active and user.has_perm(RESULTS_PERMISSION)


def error_message(error, round_=None):
    """The organizer's wording of a refused action (the services' messages are the API's)."""
    number = round_.number if round_ is not None else ""
    if isinstance(error, results.RoundNotClosed):
        return _("Round %(number)s is still open: close it after %(closes)s.") % {
            "number": number,
            "closes": timezone.localtime(round_.closes_at).strftime("%d/%m/%Y %H:%M"),
        }
    if isinstance(error, results.RoundAlreadyFinal):
        return _("The final ranking of round %(number)s was already computed; it is not computed twice.") % {
            "number": number
        }
    if isinstance(error, prizes.NothingToAward):
        return _("No round has a final ranking yet: close a round first.")
    return str(error.message)


def _draft_fingerprint(contest):
    """What the organizer reviewed: confirming checks the draft is still the same one."""
    ids = PrizeAward.objects.filter(contest=contest, status=PrizeAward.Status.DRAFT).order_by("pk")
    text = ",".join(str(pk) for pk in ids.values_list("pk", flat=True))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ResultsView(WagtailAdminTemplateMixin, View):
    header_icon = "tasks"
    template_name = "quizzes/admin/results_index.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_results(request.user):
            response = TemplateResponse(request, "quizzes/admin/results_denied.html", {}, status=403)
            return response
        return super().dispatch(request, *args, **kwargs)

    def index_breadcrumb(self):
        return {"url": reverse("quizzes_results:index"), "label": _("Contest results")}

    def render(self, status=200, **context):
        response = TemplateResponse(
            self.request, self.get_template_names(), self.get_context_data(**context), status=status
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ContestMixin:
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.contest = get_object_or_404(ContestPage, pk=kwargs["contest_id"])

    def get_page_subtitle(self):
        return self.contest.title

    def dashboard_url(self, round_number=None):
        url = reverse("quizzes_results:dashboard", args=[self.contest.pk])
        return f"{url}?round={round_number}" if round_number else url

    def back(self, round_number=None):
        return redirect(self.dashboard_url(round_number))

    def get_round(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return None
        return self.contest.rounds.select_related("result").filter(number=number).first()


class ResultsIndexView(ResultsView):
    page_title = gettext_lazy("Contest results")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request):
        contests = (
            ContestPage.objects.order_by("-first_published_at", "-pk")
            .annotate(
                participant_count=Count("attempts__user", distinct=True),
                confirmed_awards=Count("prize_awards", filter=Q(prize_awards__status="confirmed"), distinct=True),
            )
            .only("pk", "title", "live", "first_published_at", "url_path")
        )
        return self.render(contests=contests)


# --- the dashboard ------------------------------------------------------------------------


class RoundRow:
    def __init__(self, round_, moment):
        self.round = round_
        self.number = round_.number
        self.final = results.is_final(round_)
        self.result = round_.result if self.final else None
        if self.final:
            self.state, self.state_label = "final", _("Final ranking stored")
        elif round_.is_closed(moment):
            self.state, self.state_label = "closed", _("Closed")
        elif round_.is_open(moment):
            self.state, self.state_label = "open", _("Open")
        else:
            self.state, self.state_label = "upcoming", _("Not open yet")
        self.participants = 0
        self.attempts = 0
        self.in_progress = 0
        self.group_counts = []
        self.top = []

    @property
    def can_close(self):
        return self.state == "closed"


def round_rows(contest, rounds, moment):
    rows = {r.pk: RoundRow(r, moment) for r in rounds}
    for round_id, count in Standing.objects.filter(round__in=rounds).values_list("round_id").annotate(n=Count("id")):
        rows[round_id].participants = count
    for round_id, count, open_count in (
        Attempt.objects.filter(contest=contest)
        .values_list("round_id")
        .annotate(n=Count("id"), open=Count("id", filter=Q(state=AttemptState.IN_PROGRESS)))
    ):
        rows[round_id].attempts, rows[round_id].in_progress = count, open_count
    final_ids = [pk for pk, row in rows.items() if row.final]
    if final_ids:
        for round_id, group, count in (
            FinalStanding.objects.filter(round__in=final_ids)
            .values_list("round_id", "group")
            .annotate(n=Count("id"))
            .order_by("round_id", "group")
        ):
            rows[round_id].group_counts.append((PrizeGroup(group).label, count))
            if group == "":
                rows[round_id].participants = count
        for standing in (
            FinalStanding.objects.filter(round__in=final_ids, group="", rank__lte=3)
            .select_related("user__profile", "unit")
            .order_by("round_id", "rank")
        ):
            rows[standing.round_id].top.append(standing)
    return [rows[r.pk] for r in rounds]


def participation_chart(days):
    return Chart(
        title=_("Participation per day"),
        description=_("People who started an attempt each day (Asia/Ho_Chi_Minh time)."),
        x_label=_("Day"),
        y_label=_("People"),
        points=[
            Point(day.day.strftime("%d/%m"), day.people, note=_("%(n)s attempts") % {"n": day.attempts}) for day in days
        ],
    )


def unit_chart(units, minimum):
    shown = [row for row in units if row["headcount"]]
    return Chart(
        title=_("Participation rate per unit"),
        description=_("Participants against headcount; the line marks the minimum rate for unit prizes (%(rate)s).")
        % {"rate": format_value(minimum, percent=True)},
        x_label=_("Unit"),
        y_label=_("Participation rate"),
        points=[
            Point(
                row["name"],
                row["participation_rate"],
                note=_("%(participants)s of %(headcount)s") % row,
                alert=row["lagging"],
            )
            for row in shown
        ],
        percent=True,
        horizontal=True,
        threshold=minimum,
        threshold_label=_("Minimum"),
        alert_label=_("below the minimum"),
    )


def score_chart(distribution, round_number):
    return Chart(
        title=_("Score distribution, round %(number)s") % {"number": round_number},
        description=_("How many participants have each best score in the round."),
        x_label=_("Score"),
        y_label=_("Participants"),
        points=[Point(str(score), count) for score, count in distribution],
    )


class DashboardView(ContestMixin, ResultsView):
    template_name = "quizzes/admin/dashboard.html"
    page_title = gettext_lazy("Contest results")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, self.index_breadcrumb(), {"url": "", "label": self.contest.title}]

    def selected_round(self, rounds, moment):
        number = self.request.GET.get("round")
        if number:
            chosen = next((r for r in rounds if str(r.number) == number), None)
            if chosen is None:
                raise Http404
            return chosen
        started = [r for r in rounds if r.opens_at <= moment]
        return started[-1] if started else None

    def get(self, request, contest_id):
        contest = self.contest
        moment = timezone.now()
        rounds = list(contest.rounds.select_related("result__finalized_by").order_by("number"))
        round_ = self.selected_round(rounds, moment)
        minimum = float(contest.unit_min_participation)
        contest_url = contest.get_url(request) if contest.live else None
        days = analytics.participation_per_day(contest)
        units = analytics.unit_participation(contest)
        context = {
            "contest": contest,
            "rounds": round_rows(contest, rounds, moment),
            "selected_round": round_,
            "minimum_rate": minimum,
            "days": days,
            "participation_chart": participation_chart(days),
            "units": units,
            "unit_chart": unit_chart(units, minimum),
            "lagging_count": sum(1 for row in units if row["lagging"]),
            "award_counts": dict(
                PrizeAward.objects.filter(contest=contest).values_list("status").annotate(n=Count("id"))
            ),
            "any_final": any(results.is_final(r) for r in rounds),
            "integrity": integrity.integrity_report(contest),
            "fast_seconds": integrity.FAST_MS_PER_QUESTION // 1000,
            "minimum_percent": round(minimum * 100),
            "winners_url": contest_url + contest.reverse_subpage("winners") if contest_url else "",
            "burst_size": integrity.BURST_SIZE,
            "burst_minutes": int(integrity.BURST_WINDOW.total_seconds() // 60),
            "groups": contest.separate_groups,
        }
        if round_ is not None:
            data = analytics.cached_round_results(round_)
            distribution = analytics.score_distribution(data)
            items = analytics.item_analysis(data)
            context.update(
                round_data=data,
                distribution=distribution,
                score_chart=score_chart(distribution, round_.number),
                items=items,
                flagged_items=sum(1 for item in items if item.flagged),
                upper_size=analytics.extreme_group_size(len(data.participants)),
            )
            if round_.is_closed(moment):
                context["feedback"] = feedback.unit_feedback(round_, results=data, request=request)
        return self.render(**context)


# --- round and prize actions (POST) -------------------------------------------------------


class CloseRoundView(ContestMixin, ResultsView):
    http_method_names = ["post"]

    def post(self, request, contest_id, number):
        round_ = self.get_round(number)
        if round_ is None:
            raise Http404
        try:
            result = results.close_round(round_, request.user)
        except ContestError as error:
            messages.error(request, error_message(error, round_))
            return self.back(round_.number)
        messages.success(
            request,
            _("Round %(number)s is closed: the final ranking of %(count)s participants is stored.")
            % {"number": round_.number, "count": FinalStanding.objects.filter(round=round_, group="").count()}
            + " "
            + _("Actual count for the prediction: %(actual)s.") % {"actual": result.actual_count},
        )
        return self.back(round_.number)


class PrizeReviewView(ContestMixin, ResultsView):
    template_name = "quizzes/admin/results_prizes.html"
    page_title = gettext_lazy("Prizes")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            self.index_breadcrumb(),
            {"url": self.dashboard_url(), "label": self.contest.title},
            {"url": "", "label": _("Prizes")},
        ]

    def get(self, request, contest_id):
        awards = sorted(
            PrizeAward.objects.filter(contest=self.contest).select_related("round", "user__profile__unit", "unit"),
            key=lambda a: (a.unit_id is not None, a.round.number if a.round else 0, a.group, a.rank),
        )
        drafts = [a for a in awards if a.status == PrizeAward.Status.DRAFT]
        confirmed = [a for a in awards if a.status == PrizeAward.Status.CONFIRMED]
        return self.render(
            contest=self.contest,
            drafts=drafts,
            confirmed=confirmed,
            fingerprint=_draft_fingerprint(self.contest),
            rules=list(self.contest.prize_rules.all()),
            eligible_units=prizes.eligible_units(self.contest),
            any_final=self.contest.rounds.filter(result__finalized_at__isnull=False).exists(),
        )


class DraftPrizesView(ContestMixin, ResultsView):
    http_method_names = ["post"]

    def post(self, request, contest_id):
        try:
            drafts = prizes.draft_prizes(self.contest, request.user)
        except ContestError as error:
            messages.error(request, error_message(error))
            return self.back()
        messages.success(
            request,
            _("Draft ready: %(count)s prizes. Review them, then confirm.") % {"count": len(drafts)},
        )
        return redirect("quizzes_results:prizes", self.contest.pk)


class ConfirmPrizesView(ContestMixin, ResultsView):
    http_method_names = ["post"]

    def post(self, request, contest_id):
        with transaction.atomic():
            list(
                PrizeAward.objects.select_for_update()
                .filter(contest=self.contest, status=PrizeAward.Status.DRAFT)
                .order_by("pk")  # no join to the (nullable) round: PostgreSQL locks no outer join
                .values_list("pk", flat=True)
            )
            if request.POST.get("draft") != _draft_fingerprint(self.contest):
                messages.error(request, _("The draft changed since you reviewed it. Review it again, then confirm."))
                return redirect("quizzes_results:prizes", self.contest.pk)
            count = prizes.confirm_prizes(self.contest, request.user)
        if count:
            pagecache.invalidate()  # the contest and winners pages show the prizes now, not in a few seconds
            messages.success(request, _("%(count)s prizes confirmed. The winners page shows them.") % {"count": count})
        else:
            messages.error(request, _("There is no draft to confirm."))
        return redirect("quizzes_results:prizes", self.contest.pk)


# --- exports --------------------------------------------------------------------------------


class ExportView(ContestMixin, ResultsView):
    def get(self, request, contest_id, kind):
        if kind not in EXPORT_KINDS:
            raise Http404
        contest = self.contest
        round_ = None
        if kind in ("round", "feedback") or request.GET.get("round"):
            round_ = self.get_round(request.GET.get("round"))
            if round_ is None:
                messages.error(request, _("Choose a round of this contest to export."))
                return self.back()
        group = request.GET.get("group", "")
        if group not in PrizeGroup.values or (group and not contest.separate_groups):
            messages.error(request, _("This contest has no such participant group."))
            return self.back(round_.number if round_ else None)
        try:
            if kind == "round":
                export = exports.round_ranking(round_, group)
            elif kind == "contest":
                export = exports.contest_ranking(contest)
            elif kind == "prizes":
                export = exports.prize_list(contest)
            elif kind == "units":
                export = exports.unit_table(contest)
            elif kind == "attempts":
                export = exports.attempt_list(contest, round_)
            else:
                export = exports.feedback_table(round_, request)
        except ContestError as error:
            messages.error(request, error_message(error, round_))
            return self.back(round_.number if round_ else None)
        log(
            instance=contest,
            action="quizzes.export",
            user=request.user,
            data={
                "export": kind,
                "round": round_.number if round_ else None,
                "group": group,
                "rows": len(export.rows),
                "file": export.filename,
            },
        )
        return workbook_response(export.filename, export.headers, export.rows, sheet_title=export.sheet_title)


# --- registration -------------------------------------------------------------------------

urlpatterns = [
    path("", ResultsIndexView.as_view(), name="index"),
    path("<int:contest_id>/", DashboardView.as_view(), name="dashboard"),
    path("<int:contest_id>/rounds/<int:number>/close/", CloseRoundView.as_view(), name="close_round"),
    path("<int:contest_id>/prizes/", PrizeReviewView.as_view(), name="prizes"),
    path("<int:contest_id>/prizes/draft/", DraftPrizesView.as_view(), name="draft_prizes"),
    path("<int:contest_id>/prizes/confirm/", ConfirmPrizesView.as_view(), name="confirm_prizes"),
    path("<int:contest_id>/export/<slug:kind>.xlsx", ExportView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_results_urls():
    return [path("contest/results/", include((urlpatterns, "quizzes_results"), namespace="quizzes_results"))]


class ResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_results(request.user)


@hooks.register(CONTEST_MENU_HOOK)
def results_menu_item():
    return ResultsMenuItem(gettext_lazy("Results"), reverse("quizzes_results:index"), icon_name="tasks", order=100)
