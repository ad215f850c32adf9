"""The learner's actions: enrol, answer a knowledge check, mark a lesson done, retake the
checks, "My learning", and the certificate (download for its owner, public verification).

Thin: the rules live in ``courses.services``. Every action is a plain form POST that
redirects back (so it works without JavaScript); a request that asks for JSON
(``Accept: application/json``) gets the result as JSON instead, for the small script
that answers checks in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Site

from courses import certificates as certificate_pdf
from courses.models import Certificate, CourseIndexPage, CoursePage, LessonPage
from courses.services import progress as progress_service
from courses.services.checks import CheckError, answer_check
from courses.services.progress import ProgressError
from elearning.models import SiteSettings


def _wants_json(request):
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _live_course(course_id):
    return get_object_or_404(CoursePage.objects.live().public(), pk=course_id)


def _live_lesson(lesson_id):
    return get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)


def _continue_url(progress):
    """Where "continue" leads: the first lesson not done, else the course page."""
    target = progress.next_lesson
    if target is None or progress.completed:
        return progress.course.url
    return LessonPage.objects.get(pk=target.id).url


def _refuse(request, error, course=None, status=403):
    """A refused action: nothing changed; JSON for the script, otherwise a 403 page that says why."""
    if _wants_json(request):
        return JsonResponse({"detail": str(error.message), "code": error.code}, status=status)
    return TemplateResponse(
        request, "courses/progress_refused.html", {"message": error.message, "course": course}, status=status
    )


def _login_first(request, page):
    """A visitor who is not logged in goes to the login page and comes back to ``page``
    (not to this POST-only URL)."""
    if _wants_json(request):
        return JsonResponse({"detail": _("Log in first."), "code": "not_authenticated"}, status=401)
    return redirect_to_login(page.url)


@require_POST
def enrol(request, course_id):
    course = _live_course(course_id)
    if not request.user.is_authenticated:
        return _login_first(request, course)
    try:
        enrolment, created = progress_service.enrol(request.user, course)
    except ProgressError as error:
        return _refuse(request, error, course)
    progress = progress_service.course_progress(request.user, course, enrolment=enrolment)
    if created:
        messages.success(request, _("You are enrolled. Your progress is saved as you go."))
    return redirect(_continue_url(progress))


def _completion_messages(request, completion):
    if completion.course_completed:
        messages.success(
            request, _("Congratulations: you completed the course. Your certificate is ready on the course page.")
        )
    elif completion.lesson_completed:
        messages.success(request, _("Lesson done."))


@require_POST
def check(request, lesson_id, block_id):
    lesson = _live_lesson(lesson_id)
    if not request.user.is_authenticated:
        return _login_first(request, lesson)
    try:
        outcome = answer_check(request.user, lesson, block_id, request.POST.getlist("choices"))
    except LookupError:
        raise Http404("No such knowledge check") from None
    except ProgressError as error:
        return _refuse(request, error, progress_service.course_of(lesson))
    except CheckError as error:
        if _wants_json(request):
            return JsonResponse({"detail": str(error.message), "code": error.code}, status=400)
        messages.error(request, error.message)
        return redirect(f"{lesson.url}#check-{block_id}")
    if _wants_json(request):
        state = outcome.state
        return JsonResponse(
            {
                "correct": state.correct,
                "passed": state.passed,
                "attempts": state.attempts,
                "chosen": list(state.chosen),
                "correct_choices": list(state.correct_choices),
                "explanation": str(state.explanation or ""),
                "lesson_completed": outcome.completion.lesson_completed,
                "course_completed": outcome.completion.course_completed,
            }
        )
    _completion_messages(request, outcome.completion)
    return redirect(f"{lesson.url}#check-{block_id}")


@require_POST
def complete_lesson(request, lesson_id):
    lesson = _live_lesson(lesson_id)
    if not request.user.is_authenticated:
        return _login_first(request, lesson)
    try:
        completion = progress_service.complete_lesson(request.user, lesson)
    except ProgressError as error:
        if error.code == "has_checks":
            messages.error(request, error.message)
            return redirect(lesson.url)
        return _refuse(request, error, progress_service.course_of(lesson))
    _completion_messages(request, completion)
    course = progress_service.course_of(lesson)
    return redirect(_continue_url(progress_service.course_progress(request.user, course)))


@require_POST
def retake(request, course_id):
    course = _live_course(course_id)
    if not request.user.is_authenticated:
        return _login_first(request, course)
    try:
        progress_service.retake_checks(request.user, course)
    except ProgressError as error:
        return _refuse(request, error, course)
    messages.info(request, _("Your answers were cleared: answer the knowledge checks again."))
    return redirect(_continue_url(progress_service.course_progress(request.user, course)))


@require_GET
@login_required
def my_learning(request):
    courses = progress_service.my_learning(request.user)
    # Links: the courses came with the enrolments; the next lessons in one query.
    next_ids = [item.next_lesson.id for item in courses if item.next_lesson is not None and not item.completed]
    next_pages = {page.pk: page for page in LessonPage.objects.filter(pk__in=next_ids).only("id", "url_path")}
    for item in courses:
        item.course_url = item.course.get_url(request)
        page = next_pages.get(item.next_lesson.id) if item.next_lesson is not None else None
        item.continue_url = page.get_url(request) if page is not None else ""
    catalogue = CourseIndexPage.objects.live().order_by("path").first()
    return TemplateResponse(
        request,
        "courses/my_learning.html",
        {
            "in_progress": [item for item in courses if not item.completed],
            "completed": [item for item in courses if item.completed],
            "catalogue_url": catalogue.get_url(request) if catalogue else "",
        },
    )


# --- Certificates ------------------------------------------------------------------------------------


def _organisation(request):
    site = Site.find_for_request(request)
    if site is None:
        return ""
    return SiteSettings.for_site(site).organisation


def verify_url(request, certificate):
    return request.build_absolute_uri(reverse("courses:certificate_verify", kwargs={"code": certificate.code}))


@require_GET
@login_required
def certificate_download(request, code):
    # Another learner's code answers exactly like a code that does not exist.
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment"), code=code, enrolment__user=request.user
    )
    try:
        pdf = certificate_pdf.render_certificate_pdf(
            certificate, verify_url(request, certificate), organisation=_organisation(request)
        )
    except certificate_pdf.PdfUnavailable:
        html = render_to_string(
            "courses/certificate_unavailable.html",
            {"certificate": certificate, "message": certificate_pdf.UNAVAILABLE_MESSAGE},
            request=request,
        )
        return HttpResponse(html, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"chung-nhan-{certificate.code}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def certificate_verify(request, code):
    """Public: the holder's name, the course, the date and that it is valid. Nothing else."""
    certificate = (
        Certificate.objects.filter(code=code)
        .only("code", "issued_at", "hours", "learner_name", "unit_name", "course_title")
        .first()
    )
    response = TemplateResponse(request, "courses/certificate_verify.html", {"certificate": certificate, "code": code})
    if certificate is None:
        response.status_code = 404
    response["X-Robots-Tag"] = "noindex"
    return response
