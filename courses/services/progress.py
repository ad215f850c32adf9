"""Enrolment, lesson progress, course completion and certificates.

The rules, in one place:

- Only an enrolled learner records progress. Enrolling is explicit (a POST) and only
  in a live course.
- A lesson is *done* when every knowledge check in it has been answered right (at any
  try: a wrong answer may be retried), or — for a lesson without checks — when the
  learner marks it done.
- The course *score* is the share of the course's knowledge-check questions answered
  right **at the first try**, in per cent, over the checks of the course's live
  lessons as they are now. Retries let a learner finish a lesson, but only first
  answers count for the score (otherwise every finished course would score 100 %). A
  course without checks scores 100 %.
- A course is *completed* when every live lesson is done and the score reaches the
  course's pass mark. Completion stamps the enrolment and issues the certificate,
  once, under a row lock on the enrolment.
- A learner who finished every lesson below the pass mark may *retake the checks*:
  their answers in that course are cleared, lessons with checks are open again, and
  the new first answers count.
- "Continue" leads to the first lesson, in course order, that is not done.

``check_results`` of a ``LessonProgress`` holds, per block id::

    {"choices": [1, 3],        # the last answer (choice indexes)
     "correct": false,         # the last answer was right
     "passed": false,          # answered right at some try
     "first_correct": false,   # the first answer was right (counts for the score)
     "attempts": 2,
     "answered_at": "2026-…"}  # ISO 8601, last answer
"""

import pickle
import time
import weakref
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import caches
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Certificate, CoursePage, Enrolment, LessonPage, LessonProgress
from elearning.accounts import usercache
from elearning.accounts.usercache import Memo, bump_progress, progress_version

CHECK_BLOCK_TYPE = "check"


class ProgressError(Exception):
    """A learner's request that cannot be carried out; ``message`` is shown to them."""

    MESSAGES = {
        "login_required": _("Log in to take part in the course."),
        "not_available": _("This course is not open."),
        "not_enrolled": _("Enrol in the course first: only enrolled learners record progress."),
        "has_checks": _("This lesson is done when its knowledge checks are answered right."),
        "retake_not_allowed": _("The checks can be retaken only when every lesson is done below the pass mark."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(str(self.message))


# --- Reading the course -----------------------------------------------------------------------


@dataclass(frozen=True)
class LessonOutline:
    """What progress needs to know of a lesson: order, title, URL and its check block ids."""

    id: int
    title: str
    url_path: str
    check_ids: tuple

    @property
    def has_checks(self):
        return bool(self.check_ids)


def check_ids_of(body):
    """Block ids of the knowledge checks in a lesson body, in order (read from the raw JSON)."""
    return tuple(str(item["id"]) for item in body.raw_data if item.get("type") == CHECK_BLOCK_TYPE and item.get("id"))


def course_outline(course):
    """The course's live lessons, in order: one query."""
    lessons = (
        LessonPage.objects.live().public().child_of(course).order_by("path").only("id", "title", "url_path", "body")
    )
    return [LessonOutline(lesson.id, lesson.title, lesson.url_path, check_ids_of(lesson.body)) for lesson in lessons]


def outlines_for_courses(courses):
    """``{course_id: [LessonOutline]}`` for several courses: one query."""
    courses = list(courses)
    result = {course.pk: [] for course in courses}
    if not courses:
        return result
    by_path = {course.path: course.pk for course in courses}
    steplen = CoursePage.steplen
    children = Q()
    for course in courses:
        children |= Q(path__startswith=course.path, depth=course.depth + 1)
    lessons = (
        LessonPage.objects.live()
        .public()
        .filter(children)
        .order_by("path")
        .only("id", "title", "url_path", "path", "depth", "body")
    )
    for lesson in lessons:
        course_id = by_path.get(lesson.path[: (lesson.depth - 1) * steplen])
        if course_id is not None:
            result[course_id].append(LessonOutline(lesson.id, lesson.title, lesson.url_path, check_ids_of(lesson.body)))
    return result


# --- Progress of one learner ---------------------------------------------------------------------


@dataclass
class Score:
    right: int
    total: int

    @property
    def percent(self):
        if not self.total:
            return 100
        return int((Decimal(self.right * 100) / self.total).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def passes(self, pass_mark):
        # Compare exactly, not the rounded percentage: 69.5 % does not pass a 70 % mark.
        return self.total == 0 or self.right * 100 >= pass_mark * self.total


@dataclass
class CourseProgress:
    """One learner in one course, as the course page, the lesson page and "My learning" show it."""

    course: CoursePage
    enrolment: Enrolment | None
    lessons: list
    done_ids: set = field(default_factory=set)
    score: Score = field(default_factory=lambda: Score(0, 0))
    results: dict = field(default_factory=dict)  # {lesson_id: check_results}
    pages: dict = field(default_factory=dict)  # {lesson_id: LessonPage}, see bind_pages()

    def bind_pages(self, pages):
        """Attach the lesson pages a template already holds, so "continue" can link to one."""
        self.pages = {page.pk: page for page in pages}

    @property
    def next_page(self):
        lesson = self.next_lesson
        return self.pages.get(lesson.id) if lesson is not None else None

    @property
    def enrolled(self):
        return self.enrolment is not None

    @property
    def total(self):
        return len(self.lessons)

    @property
    def done(self):
        return sum(1 for lesson in self.lessons if lesson.id in self.done_ids)

    @property
    def percent(self):
        return round(self.done * 100 / self.total) if self.total else 0

    @property
    def all_lessons_done(self):
        return self.total > 0 and self.done == self.total

    @property
    def completed(self):
        return self.enrolment is not None and self.enrolment.completed_at is not None

    @property
    def certificate(self):
        if self.enrolment is None:
            return None
        try:
            return self.enrolment.certificate
        except Certificate.DoesNotExist:
            return None

    @property
    def next_lesson(self):
        """The first lesson not done (where "continue" leads), or None when all are done."""
        return next((lesson for lesson in self.lessons if lesson.id not in self.done_ids), None)

    @property
    def below_pass_mark(self):
        """Every lesson done but the score is short of the pass mark: the learner may retake the checks."""
        return (
            self.enrolled
            and not self.completed
            and self.all_lessons_done
            and not self.score.passes(self.course.pass_mark)
        )

    def is_done(self, lesson_id):
        return lesson_id in self.done_ids


def _score(lessons, rows):
    """Score from the lesson outlines and ``[(lesson_id, check_results)]``."""
    results = dict(rows)
    total = right = 0
    for lesson in lessons:
        answers = results.get(lesson.id) or {}
        for block_id in lesson.check_ids:
            total += 1
            if (answers.get(block_id) or {}).get("first_correct"):
                right += 1
    return Score(right, total)


def get_enrolment(user, course):
    if not user.is_authenticated:
        return None
    return Enrolment.objects.select_related("certificate").filter(user=user, course=course).first()


_ENROLMENT_FIELDS = Enrolment._meta.concrete_fields
_CERTIFICATE_FIELDS = Certificate._meta.concrete_fields
_PROGRESS_COLUMNS = ("lesson_progress__lesson_id", "lesson_progress__completed_at", "lesson_progress__check_results")


# Stand-ins for the user and course ids while the statement is compiled, replaced by the real ones.
_USER_MARK, _COURSE_MARK = -7_000_000_001, -7_000_000_002
_enrolment_statements = weakref.WeakKeyDictionary()  # per database connection (so per thread)


def _enrolment_statement(db):
    """``(sql, params with the marks, compiler)`` of the enrolment-with-progress read, compiled once
    per connection; the compiler turns the fetched rows into Python values as the ORM would."""
    connection = connections[db]
    statement = _enrolment_statements.get(connection)
    if statement is None:
        columns = [
            *(field.name for field in _ENROLMENT_FIELDS),
            *(f"certificate__{field.name}" for field in _CERTIFICATE_FIELDS),
            *_PROGRESS_COLUMNS,
        ]
        queryset = Enrolment.objects.using(db).filter(user_id=_USER_MARK, course_id=_COURSE_MARK)
        compiler = queryset.values_list(*columns).query.get_compiler(db)
        sql, params = compiler.as_sql()
        statement = _enrolment_statements[connection] = (sql, tuple(params), compiler)
    return statement


_kept_progress = Memo()  # {user_id: {course_id: (progress version, fetched rows)}}, lesson reads only


def forget_progress(user_id):
    """Drop what this process keeps of the learner's progress (their rows changed)."""
    _kept_progress.pop(user_id)


def _fetch_enrolment_rows(db, user, course):
    sql, marked, compiler = _enrolment_statement(db)
    ids = {_USER_MARK: user.pk, _COURSE_MARK: course.pk}
    params = [ids.get(param, param) if type(param) is int else param for param in marked]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(compiler.results_iter([cursor.fetchall()], tuple_expected=True))


def enrolment_with_progress(user, course, keep=False):
    """``(enrolment, rows)``: the learner's enrolment in ``course`` (its certificate attached, or
    None when not enrolled) and their ``[(lesson_id, completed_at, check_results)]`` in it, in one
    query (the enrolment LEFT JOINed with its certificate and its lesson progress rows), compiled
    once per database connection: every lesson view of a learner makes it.

    With ``keep`` (a lesson page's GET), the fetched rows are kept in this process for the learner's
    progress version (``elearning.accounts.usercache``, read with the session user): no query until
    their enrolment, progress or certificate changes. Each call builds its own instances and copies
    of the answers."""
    if not user.is_authenticated or course is None:
        return None, []
    db = router.db_for_read(Enrolment)
    version = progress_version(user) if keep else None
    if version is None:
        found = _fetch_enrolment_rows(db, user, course)
    else:
        kept = _kept_progress.get(user.pk)
        entry = kept.get(course.pk) if kept is not None else None
        if entry is not None and entry[0] == version:
            # Kept pickled: each call unpickles its own copy (several times faster than a deepcopy).
            found = pickle.loads(entry[1])  # noqa: S301 - bytes this process pickled itself
        else:
            # Read after the version (with the session user): a change made meanwhile replaced it.
            found = _fetch_enrolment_rows(db, user, course)
            kept = dict(kept or {})
            kept[course.pk] = (version, pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
            _kept_progress.put(user.pk, kept)
    if not found:
        return None, []
    first = found[0]
    split = len(_ENROLMENT_FIELDS)
    enrolment = Enrolment.from_db(db, [f.attname for f in _ENROLMENT_FIELDS], first[:split])
    certificate_values = first[split : split + len(_CERTIFICATE_FIELDS)]
    certificate = None
    if certificate_values[0] is not None:
        certificate = Certificate.from_db(db, [f.attname for f in _CERTIFICATE_FIELDS], certificate_values)
        Certificate.enrolment.field.set_cached_value(certificate, enrolment)
    Enrolment.certificate.related.set_cached_value(enrolment, certificate)
    rows = [row[-3:] for row in found if row[-3] is not None]
    return enrolment, rows


def course_progress(user, course, lessons=None, enrolment=..., rows=None):
    """The learner's progress in ``course`` (three queries at most; none for an anonymous user
    when ``lessons`` is given; none when ``lessons``, ``enrolment`` and its ``rows`` of
    :func:`enrolment_with_progress` are given)."""
    if lessons is None:
        lessons = course_outline(course)
    if enrolment is ...:
        enrolment = get_enrolment(user, course)
    progress = CourseProgress(course=course, enrolment=enrolment, lessons=lessons)
    if enrolment is None:
        return progress
    lesson_ids = {lesson.id for lesson in lessons}
    if rows is None:
        rows = list(
            LessonProgress.objects.filter(enrolment=enrolment, lesson_id__in=lesson_ids).values_list(
                "lesson_id", "completed_at", "check_results"
            )
        )
    else:
        rows = [row for row in rows if row[0] in lesson_ids]
    progress.done_ids = {lesson_id for lesson_id, completed_at, _results in rows if completed_at is not None}
    progress.results = {lesson_id: results or {} for lesson_id, _done, results in rows}
    progress.score = _score(lessons, progress.results.items())
    return progress


def my_learning(user):
    """Every course the learner is enrolled in, most recent activity first: a constant number of queries."""
    enrolments = list(
        Enrolment.objects.filter(user=user, course__live=True)
        .select_related("course", "certificate")
        .order_by("-enrolled_at")
    )
    outlines = outlines_for_courses([enrolment.course for enrolment in enrolments])
    rows = {}
    last_seen = {}
    for enrolment_id, lesson_id, completed_at, results, seen in LessonProgress.objects.filter(
        enrolment__in=[enrolment.pk for enrolment in enrolments]
    ).values_list("enrolment_id", "lesson_id", "completed_at", "check_results", "last_seen_at"):
        rows.setdefault(enrolment_id, []).append((lesson_id, completed_at, results))
        if seen and (enrolment_id not in last_seen or seen > last_seen[enrolment_id]):
            last_seen[enrolment_id] = seen
    result = []
    for enrolment in enrolments:
        lessons = outlines[enrolment.course.pk]
        progress = CourseProgress(course=enrolment.course, enrolment=enrolment, lessons=lessons)
        lesson_ids = {lesson.id for lesson in lessons}
        own = [row for row in rows.get(enrolment.pk, []) if row[0] in lesson_ids]
        progress.done_ids = {lesson_id for lesson_id, completed_at, _results in own if completed_at is not None}
        progress.score = _score(lessons, [(lesson_id, results) for lesson_id, _done, results in own])
        progress.last_seen_at = last_seen.get(enrolment.pk, enrolment.enrolled_at)
        result.append(progress)
    result.sort(key=lambda item: (item.completed, -item.last_seen_at.timestamp()))
    return result


# --- Changing progress -----------------------------------------------------------------------------


def course_of(lesson):
    """The lesson's course (its parent page), specific."""
    return CoursePage.objects.filter(path=lesson.path[: (lesson.depth - 1) * lesson.steplen]).first()


def enrol(user, course):
    """Enrol ``user`` in a live course; returns ``(enrolment, created)``. Idempotent."""
    if not user.is_authenticated:
        raise ProgressError("login_required")
    if not (course.live and CoursePage.objects.live().public().filter(pk=course.pk).exists()):
        raise ProgressError("not_available")
    with transaction.atomic():
        return Enrolment.objects.get_or_create(user=user, course=course)


def require_enrolment(user, course):
    enrolment = get_enrolment(user, course) if course is not None else None
    if enrolment is None:
        raise ProgressError("not_enrolled")
    return enrolment


VISIT_INTERVAL = 60  # seconds: a learner's repeat visits to one lesson are written at most this often
# The learner's recently recorded visits, read with their session user's versions (usercache.ride_along):
# {"<enrolment id>:<lesson id>": until when (epoch seconds) the visit's guard key surely still stands}.
RECENT_VISITS_PREFIX = "courses:recent-visits:"
RECENT_VISITS_MARGIN = 1  # seconds short of the guard's lifetime (other app servers' clocks)


def _visit_key(enrolment, lesson):
    return f"courses:visit:{enrolment.pk}:{lesson.pk}"


def record_visit(user, lesson, course=None, enrolment=..., seen=None):
    """Remember that an enrolled learner opened ``lesson`` (for "resume"). No-op for anyone else.
    Returns the enrolment or None (``enrolment``, when given, is the learner's enrolment in the
    course as already read, or None; ``seen``, when known, whether the learner has a progress
    row for the lesson).

    The first visit of an enrolment to a lesson is written at once; a repeat visit within
    ``VISIT_INTERVAL`` seconds is not written again (a key in the default cache guards the
    write), so "last seen" may lag a reload by up to a minute. Without a reachable cache every
    visit is written. Answers and "mark done" never go through here.

    Each written visit is also noted, with when its guard key expires, in the learner's recent
    visits, which the next request reads with the session user (no round trip of its own): a
    repeat visit noted there as still guarded is known to be throttled without asking for the
    guard. Anything else (no note, a note that has run out, no session user memo) asks the guard
    as before; a lost note only costs that round trip.
    """
    if not user.is_authenticated:
        return None
    course = course or course_of(lesson)
    if course is None:
        return None
    if enrolment is ...:
        enrolment = get_enrolment(user, course)
    if enrolment is None:
        return None
    visit = f"{enrolment.pk}:{lesson.pk}"
    recent = usercache.rider(user, RECENT_VISITS_PREFIX) or {}
    started = time.time()
    if recent.get(visit, 0) > started:
        return enrolment  # the guard set with that note still stands: add() below would be False
    # add() is False when the key exists; None (cache unreachable) writes as before.
    cache = caches["default"]
    if cache.add(_visit_key(enrolment, lesson), 1, VISIT_INTERVAL) is False:
        return enrolment
    now = timezone.now()
    if seen is False or not LessonProgress.objects.filter(user=user, lesson=lesson).update(last_seen_at=now):
        # A first visit: one INSERT; a row made meanwhile by a parallel request or an answer is kept.
        LessonProgress.objects.bulk_create(
            [LessonProgress(user=user, lesson=lesson, enrolment=enrolment, last_seen_at=now)], ignore_conflicts=True
        )
        bump_progress(user.pk)  # a new row (bulk_create sends no signal); "last seen" alone is not kept
    # The guard was set after ``started`` and lives VISIT_INTERVAL seconds.
    recent = {key: until for key, until in recent.items() if until > started}
    recent[visit] = started + VISIT_INTERVAL - RECENT_VISITS_MARGIN
    cache.set(f"{RECENT_VISITS_PREFIX}{user.pk}", recent, VISIT_INTERVAL)
    return enrolment


def locked_lesson_progress(user, lesson, enrolment):
    """The learner's progress row for ``lesson``, created when missing and locked until the
    end of the transaction (call inside ``transaction.atomic``)."""
    LessonProgress.objects.get_or_create(user=user, lesson=lesson, defaults={"enrolment": enrolment})
    return LessonProgress.objects.select_for_update().get(user=user, lesson=lesson)


def lesson_passed(check_ids, check_results):
    return all((check_results.get(block_id) or {}).get("passed") for block_id in check_ids)


@dataclass
class CompletionResult:
    lesson_completed: bool = False
    course_completed: bool = False
    certificate: Certificate | None = None


def complete_lesson(user, lesson):
    """ "Mark done" for a lesson without knowledge checks."""
    course = course_of(lesson)
    enrolment = require_enrolment(user, course)
    if check_ids_of(lesson.body):
        raise ProgressError("has_checks")
    with transaction.atomic():
        row = locked_lesson_progress(user, lesson, enrolment)
        newly = row.completed_at is None
        if newly:
            row.completed_at = timezone.now()
            row.save(update_fields=["completed_at"])
    result = CompletionResult(lesson_completed=newly)
    if newly:
        result.certificate = evaluate_completion(enrolment)
        result.course_completed = result.certificate is not None
    return result


def _hours(course):
    return (Decimal(course.estimated_minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _learner_snapshot(user):
    profile = getattr(user, "profile", None)  # RelatedObjectDoesNotExist is an AttributeError
    name = (profile.full_name if profile else "") or user.get_full_name() or user.get_username()
    unit = profile.unit.name if profile and profile.unit_id else ""
    return name, unit


def evaluate_completion(enrolment):
    """Complete the course and issue the certificate when every lesson is done and the score
    reaches the pass mark. Returns the new certificate, or None (not complete, or already)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("course", "user").get(pk=enrolment.pk)
        if enrolment.completed_at is not None:
            return None
        course = enrolment.course
        progress = course_progress(enrolment.user, course, enrolment=enrolment)
        if not progress.all_lessons_done or not progress.score.passes(course.pass_mark):
            return None
        now = timezone.now()
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
        name, unit = _learner_snapshot(enrolment.user)
        return Certificate.objects.create(
            enrolment=enrolment,
            issued_at=now,
            hours=_hours(course),
            learner_name=name,
            unit_name=unit,
            course_title=course.title,
        )


def retake_checks(user, course):
    """Clear the learner's knowledge-check answers in ``course`` so they can reach the pass mark.
    Only when every lesson is done, the score is short and the course is not completed."""
    enrolment = require_enrolment(user, course)
    progress = course_progress(user, course, enrolment=enrolment)
    if not progress.below_pass_mark:
        raise ProgressError("retake_not_allowed")
    with_checks = [lesson.id for lesson in progress.lessons if lesson.has_checks]
    with transaction.atomic():
        LessonProgress.objects.filter(enrolment=enrolment, lesson_id__in=with_checks).update(
            check_results={}, completed_at=None
        )
        bump_progress(user.pk)  # update() sends no signal
    return len(with_checks)
