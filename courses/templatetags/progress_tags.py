"""The learner's progress on the course and lesson pages.

``templates/courses/includes/progress.html`` (included by the course and lesson pages
before the lesson body) loads the state once per request::

    {% learning_state course lesson lessons as state %}

``state`` is a :class:`courses.services.progress.CourseProgress` (``None`` for a
visitor who is not logged in). On a lesson page the tag also puts the learner's
``check_results`` for that lesson into the page's context, which is where the
knowledge-check blocks read their result from; nobody else's progress is ever read.
"""

from django import template
from django.utils.safestring import mark_safe

from courses.services import progress as progress_service

register = template.Library()

_REQUEST_CACHE = "_courses_learning_state"


def _state(request, course):
    cache = getattr(request, _REQUEST_CACHE, None)
    if cache is None:
        cache = {}
        setattr(request, _REQUEST_CACHE, cache)
    if course.pk not in cache:
        # (enrolment, progress rows), read when the lesson visit was recorded.
        enrolment, rows = getattr(request, "_courses_learners", {}).get(course.pk, (..., None))
        outline = getattr(request, "_courses_outlines", {}).get(course.pk)  # set by the lesson page
        cache[course.pk] = progress_service.course_progress(
            request.user, course, lessons=outline, enrolment=enrolment, rows=rows
        )
    return cache[course.pk]


def _publish_to_page_context(context, name, value):
    """Set ``name`` in the context dict that holds the page (visible to the blocks rendered after)."""
    for layer in reversed(context.dicts):
        if "page" in layer:
            layer[name] = value
            return
    context.dicts[-1][name] = value


@register.simple_tag(takes_context=True)
def learning_state(context, course, lesson=None, lessons=None):
    """The learner's progress in ``course``; ``lessons`` (the pages the template already has)
    give ``state.next_page``, the page "continue" leads to."""
    request = context.get("request")
    if not course or request is None or not request.user.is_authenticated:
        return None
    state = _state(request, course)
    if lessons:
        state.bind_pages(lessons)
    if lesson:  # a missing template variable arrives as ""
        _publish_to_page_context(context, "check_results", state.results.get(lesson.pk, {}))
    return state


@register.filter
def lesson_done(state, lesson_id):
    return bool(state) and state.is_done(lesson_id)


@register.filter
def has_checks(state, lesson_id):
    if not state:
        return False
    return any(outline.id == lesson_id and outline.has_checks for outline in state.lessons)


# --- The learner's panels kept per state -------------------------------------------------------------


def _state_signature(state, lesson):
    """Everything of the learner's own that courses/includes/progress.html, progress_bar.html and
    progress_actions.html show on a lesson page: readers with the same signature see the same HTML
    (but for their CSRF token)."""
    if state is None:
        return None
    score = state.score
    certificate = state.certificate
    next_page = state.next_page
    completed_at = state.enrolment.completed_at if state.enrolment is not None else None
    return (
        state.enrolled,
        state.done,
        state.total,
        state.percent,
        (score.right, score.total, score.percent),
        state.all_lessons_done,
        state.completed,
        completed_at.isoformat() if completed_at is not None else None,
        certificate.code if certificate is not None else None,
        state.below_pass_mark,
        (next_page.pk, next_page.title, next_page.url_path) if next_page is not None else None,
        state.is_done(lesson.pk),
        has_checks(state, lesson.pk),
    )


class LearningStateFragmentNode(template.Node):
    def __init__(self, name, course, lesson, lessons, nodelist):
        self.name, self.course, self.lesson, self.lessons = name, course, lesson, lessons
        self.nodelist = nodelist

    def render(self, context):
        from django.utils import timezone
        from django.utils.translation import get_language

        from elearning import pagecache

        course, lesson = self.course.resolve(context), self.lesson.resolve(context)
        request = context.get("request")
        token = context.get("csrf_token")
        if (
            not course
            or not lesson
            or request is None
            or getattr(request, "is_preview", False)
            or not request.user.is_authenticated
            or token is None
            or str(token) == "NOTPROVIDED"
        ):
            return self.nodelist.render(context)
        # What {% learning_state %} inside does first: the state, and the lesson's check results
        # put into the page context for the lesson body rendered after.
        state = learning_state(context, course, lesson, self.lessons.resolve(context))
        key = (
            "learning-state-fragment",
            self.name,
            get_language(),
            timezone.get_current_timezone_name(),
            pagecache.request_host(request),
            course.pk,
            course.pass_mark,
            lesson.pk,
            _state_signature(state, lesson),
        )
        placeholder = pagecache.csrf_placeholder_value()

        def render():
            with context.push(csrf_token=placeholder):
                return self.nodelist.render(context)

        html = pagecache.memo(request, key, render)
        if placeholder in html:
            html = html.replace(placeholder, str(token))
        return mark_safe(html)  # noqa: S308 - rendered by the (escaping) templates inside


@register.tag
def learning_state_fragment(parser, token):
    """``{% learning_state_fragment "name" course lesson lessons %}…{% endlearning_state_fragment %}``
    around the learner's progress panels of a lesson page: rendered once per process (until any
    content changes, a minute at most: ``elearning.pagecache.memo``) for every logged-in reader in
    the same learning state of the lesson (:func:`_state_signature`), language, time zone and host,
    with the CSRF placeholder where each reader's own token goes. Anonymous readers, previews and
    renders without a CSRF token render it as if the tag were not there.

    What is inside may show nothing of the reader's own but what the signature holds, and set no
    context variable used after it (it runs ``learning_state`` itself for the ``check_results`` the
    lesson body reads).
    """
    bits = token.split_contents()
    if len(bits) != 5:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a name, the course, the lesson and the lessons")
    name = bits[1].strip("\"'")
    course, lesson, lessons = (parser.compile_filter(bit) for bit in bits[2:])
    nodelist = parser.parse(("endlearning_state_fragment",))
    parser.delete_first_token()
    return LearningStateFragmentNode(name, course, lesson, lessons, nodelist)
