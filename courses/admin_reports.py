"""Admin screens of course progress: the per-course report (filters, SVG chart, .xlsx) and
the dashboard panel of a trainer's own courses. Registered by ``courses.wagtail_hooks_reports``.

Who sees a course's report: its trainers (anyone who may edit the course page) and the
organizers; anyone else gets 403. Learners appear only as counts per unit — no names.
"""

import datetime

from django import forms
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.models import CoursePage
from courses.reports import chart, course_report
from courses.services.trainers import can_see_course_report, editable_course_ids, is_organizer
from elearning.models import Unit
from elearning.spreadsheets import workbook_response

REPORT_HEADERS = (
    gettext_lazy("Unit"),
    gettext_lazy("Enrolled"),
    gettext_lazy("Completed"),
    gettext_lazy("Completion rate (%)"),
    gettext_lazy("Average check score (%)"),
)


def visible_courses(user):
    """The courses whose report ``user`` may see, in tree order."""
    courses = CoursePage.objects.order_by("path")
    if is_organizer(user):
        return courses
    return courses.filter(pk__in=editable_course_ids(user))


def with_figures(courses):
    return courses.annotate(
        enrolled_count=Count("enrolments", distinct=True),
        completed_count=Count("enrolments", filter=Q(enrolments__completed_at__isnull=False), distinct=True),
    )


def forbidden(request):
    """A plain 403 (Wagtail's admin would turn PermissionDenied into a redirect to the dashboard)."""
    response = TemplateResponse(request, "courses/admin/forbidden.html", {"page_title": _("Access denied")}, status=403)
    response["Cache-Control"] = "private, no-store"
    return response


class ReportFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All units"),
        help_text=gettext_lazy("Includes the units under it."),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Enrolled from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Enrolled until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


def can_see_any_report(user):
    return user.is_authenticated and (is_organizer(user) or visible_courses(user).exists())


class CourseReportIndexView(WagtailAdminTemplateMixin, View):
    page_title = gettext_lazy("Course progress")
    header_icon = "tasks"
    template_name = "courses/admin/progress_report_index.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_any_report(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        courses = list(with_figures(visible_courses(request.user)))
        for course in courses:
            course.completion_rate = (
                round(course.completed_count * 100 / course.enrolled_count, 1) if course.enrolled_count else None
            )
        return TemplateResponse(request, self.template_name, self.get_context_data(courses=courses))


class CourseReportView(WagtailAdminTemplateMixin, View):
    header_icon = "tasks"
    template_name = "courses/admin/progress_report.html"

    def dispatch(self, request, course_id, *args, **kwargs):
        self.course = get_object_or_404(CoursePage, pk=course_id)
        if not can_see_course_report(request.user, self.course):
            return forbidden(request)
        return super().dispatch(request, course_id, *args, **kwargs)

    def get_page_title(self):
        return _("Progress: %(course)s") % {"course": self.course.title}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("courses_progress_report"), "label": _("Course progress")},
            {"url": "", "label": self.course.title},
        ]

    def get(self, request, course_id):
        form = ReportFilterForm(request.GET or None)
        filters = {}
        if form.is_bound and form.is_valid():
            filters = {
                "unit": form.cleaned_data["unit"],
                "date_from": form.cleaned_data["date_from"],
                "date_to": form.cleaned_data["date_to"],
            }
        elif form.is_bound:
            return self.render(form, None, status=400)
        report = course_report(self.course, **filters)
        if request.GET.get("export") == "xlsx":
            return self.export(report)
        return self.render(form, report)

    def render(self, form, report, status=200):
        query = self.request.GET.copy()
        query["export"] = "xlsx"
        context = self.get_context_data(
            course=self.course,
            form=form,
            report=report,
            chart=chart(report) if report else None,
            export_url=f"?{query.urlencode()}",
        )
        response = TemplateResponse(self.request, self.template_name, context, status=status)
        response["Cache-Control"] = "private, no-store"
        return response

    def export(self, report):
        stamp = datetime.date.today().isoformat()
        filename = f"tien-do-{slugify(self.course.slug)[:60]}-{stamp}.xlsx"
        return workbook_response(
            filename, [str(header) for header in REPORT_HEADERS], report.export_rows(), sheet_title=_("Progress")
        )


class MyCoursesPanel(Component):
    """Dashboard: the courses the user may edit, with their enrolment and completion figures."""

    name = "courses_my_courses"
    template_name = "courses/admin/my_courses_panel.html"
    order = 90
    limit = 10

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        courses = list(
            with_figures(CoursePage.objects.filter(pk__in=editable_course_ids(user)).order_by("path"))[: self.limit]
        )
        for course in courses:
            course.completion_rate = (
                round(course.completed_count * 100 / course.enrolled_count, 1) if course.enrolled_count else None
            )
        return {"courses": courses, "request": self.request}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["courses"]:
            return ""
        return render_to_string(self.template_name, context, request=self.request)
