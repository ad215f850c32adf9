"""The home page's featured courses, given through the core's hook so that
``elearning`` never imports the courses."""

from wagtail import hooks

from courses.models import CoursePage
from elearning.models.pages import HOME_CONTEXT_HOOK

FEATURED_COURSES = 3


@hooks.register(HOME_CONTEXT_HOOK)
def featured_courses(request, home_page):
    courses = CoursePage.objects.published().for_cards().order_by("-first_published_at", "-pk")
    return {"featured_courses": list(courses[:FEATURED_COURSES])}
