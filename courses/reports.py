"""The progress report of one course, by the learners' units.

Definitions (the report page says them too):

- **Enrolled**: learners who enrolled in the course — in the date range when one is given
  (by the day they enrolled, Vietnam time) and in the chosen unit or any unit under it.
- **Completed**: those of them whose enrolment is completed (every lesson done and the
  pass mark reached), whenever they completed.
- **Completion rate**: completed / enrolled.
- **Average check score**: for each learner who answered at least one of the course's
  knowledge checks, the share of the checks they answered that they got right at the
  first try; averaged over those learners. (A learner who completed the course answered
  every check, so for them it is the course score the pass mark is measured against.)

Learners without a unit are grouped in a row of their own.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Enrolment, LessonProgress
from courses.services.progress import course_outline
from elearning.models import Unit

NO_UNIT_LABEL = _("No unit")


def _percent(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class UnitRow:
    unit_id: int | None
    name: str
    enrolled: int = 0
    completed: int = 0
    score_total: Decimal = Decimal(0)  # sum of the learners' first-try shares (0..1)
    scored: int = 0  # learners who answered at least one check

    @property
    def completion_rate(self):
        return _percent(self.completed, self.enrolled)

    @property
    def average_score(self):
        if not self.scored:
            return None
        return (self.score_total * 100 / self.scored).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def add(self, completed, share):
        self.enrolled += 1
        self.completed += bool(completed)
        if share is not None:
            self.score_total += share
            self.scored += 1


@dataclass
class CourseReport:
    course: object
    rows: list = field(default_factory=list)
    total: UnitRow = None
    check_count: int = 0
    unit: Unit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def export_rows(self):
        for row in [*self.rows, self.total]:
            yield [row.name, row.enrolled, row.completed, row.completion_rate, row.average_score]


def units_under(unit):
    """Ids of ``unit`` and every unit below it (one query over the unit table)."""
    children = {}
    for unit_id, parent_id in Unit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(unit_id)
    found, stack = set(), [unit.pk]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def first_try_share(check_ids, results):
    """``right / answered`` over the course's checks a learner answered, or None if none."""
    answered = right = 0
    for block_id, result in results.items():
        if block_id in check_ids and result:
            answered += 1
            right += bool(result.get("first_correct"))
    if not answered:
        return None
    return Decimal(right) / Decimal(answered)


def course_report(course, *, unit=None, date_from=None, date_to=None):
    """The report of ``course``: three queries plus one for the unit filter."""
    outline = course_outline(course)
    check_ids = {block_id for lesson in outline for block_id in lesson.check_ids}
    enrolments = Enrolment.objects.filter(course=course)
    if unit is not None:
        enrolments = enrolments.filter(user__profile__unit_id__in=units_under(unit))
    if date_from is not None:
        enrolments = enrolments.filter(enrolled_at__gte=_day_start(date_from))
    if date_to is not None:
        enrolments = enrolments.filter(enrolled_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    learners = list(enrolments.values_list("pk", "completed_at", "user__profile__unit_id", "user__profile__unit__name"))
    results = {}
    for enrolment_id, check_results in LessonProgress.objects.filter(
        enrolment_id__in=[pk for pk, *_rest in learners]
    ).values_list("enrolment_id", "check_results"):
        results.setdefault(enrolment_id, {}).update(check_results or {})

    rows = {}
    total = UnitRow(None, str(_("All units")))
    for enrolment_id, completed_at, unit_id, unit_name in learners:
        share = first_try_share(check_ids, results.get(enrolment_id, {}))
        row = rows.get(unit_id)
        if row is None:
            row = rows[unit_id] = UnitRow(unit_id, unit_name or str(NO_UNIT_LABEL))
        row.add(completed_at is not None, share)
        total.add(completed_at is not None, share)
    ordered = sorted(rows.values(), key=lambda row: (row.unit_id is None, row.name))
    return CourseReport(
        course=course,
        rows=ordered,
        total=total,
        check_count=len(check_ids),
        unit=unit,
        date_from=date_from,
        date_to=date_to,
    )


# --- The chart: horizontal bars drawn on the server as SVG -------------------------------------


@dataclass
class Bar:
    label: str
    y: int
    completion: Decimal | None
    score: Decimal | None
    completion_width: int
    score_width: int


CHART_LABEL_WIDTH = 270
CHART_BAR_WIDTH = 400
CHART_ROW_HEIGHT = 34
CHART_TOP = 30


def chart(report):
    """Bars for the SVG chart: completion rate and average check score per unit (0-100 %)."""
    bars = []
    for index, row in enumerate(report.rows):
        completion, score = row.completion_rate, row.average_score
        bars.append(
            Bar(
                label=row.name,
                y=CHART_TOP + index * CHART_ROW_HEIGHT,
                completion=completion,
                score=score,
                completion_width=int((completion or 0) * CHART_BAR_WIDTH / 100),
                score_width=int((score or 0) * CHART_BAR_WIDTH / 100),
            )
        )
    return {
        "bars": bars,
        "label_width": CHART_LABEL_WIDTH,
        "bar_width": CHART_BAR_WIDTH,
        "bar_x": CHART_LABEL_WIDTH + 10,
        "value_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 16,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 80,
        "height": CHART_TOP + max(len(bars), 1) * CHART_ROW_HEIGHT + 10,
        "grid": [
            {"x": CHART_LABEL_WIDTH + 10 + CHART_BAR_WIDTH * tick // 100, "label": tick}
            for tick in (0, 25, 50, 75, 100)
        ],
    }
