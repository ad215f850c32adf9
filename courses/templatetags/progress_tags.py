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
