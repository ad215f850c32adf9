"""Wagtail hooks of the learning feature, imported at the end of ``courses/wagtail_hooks.py``:

- the course progress report under "Reports" (``courses_progress_report``,
  ``courses_progress_report_course``), for the course's trainers and the organizers;
- the dashboard panel with the courses a trainer may edit and their completion figures;
- "resume where I left off": an enrolled learner's visit to a lesson is remembered.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses.admin_reports import CourseReportIndexView, CourseReportView, MyCoursesPanel, can_see_any_report
from courses.models import LessonPage
from courses.services.progress import enrolment_with_progress, record_visit


@hooks.register("register_admin_urls")
def register_progress_report_urls():
    return [
        path("reports/course-progress/", CourseReportIndexView.as_view(), name="courses_progress_report"),
        path(
            "reports/course-progress/<int:course_id>/",
            CourseReportView.as_view(),
            name="courses_progress_report_course",
        ),
    ]


class CourseProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_any_report(request.user)


@hooks.register("register_reports_menu_item")
def register_progress_report_menu_item():
    return CourseProgressMenuItem(
        _("Course progress"),
        reverse("courses_progress_report"),
        name="course-progress",
        icon_name="tasks",
        order=900,
    )


@hooks.register("construct_homepage_panels")
def add_my_courses_panel(request, panels):
    panels.append(MyCoursesPanel(request))


@hooks.register("before_serve_page")
def remember_lesson_visit(page, request, serve_args, serve_kwargs):
    if (
        isinstance(page, LessonPage)
        and request.method == "GET"
        and not getattr(request, "is_preview", False)
        and request.user.is_authenticated
    ):
        # The course is kept on the page, which LessonPage.get_context reads again.
        course = page.get_course(request)
        if course is None:
            return
        # The enrolment and progress rows in one query, or none while this process keeps them for the
        # learner's progress version; the progress panel of this page reuses them.
        enrolment, rows = enrolment_with_progress(request.user, course, keep=True)
        seen = any(lesson_id == page.pk for lesson_id, _done, _results in rows)
        record_visit(request.user, page, course=course, enrolment=enrolment, seen=seen)
        request._courses_learners = {course.pk: (enrolment, rows)}
