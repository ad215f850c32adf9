"""Who reaches what: every route of the URLconf, and the pages of the fixture site, as each role.

The tables below are the allowed set. Each row: a route name, then what a GET answers for

    anonymous  learner  participant  trainer  other_trainer  reviewer  organizer

(``-`` = not asked). The learner owns the certificate and the enrolment; the participant owns
the attempts; the trainer owns the course section the URLs point at and ``other_trainer`` owns
another one. Another person's attempt, certificate or report answers like a missing one.

Every project route must have a row: a route added later fails
``test_every_route_is_classified`` until someone decides who may reach it. Wagtail's own
admin routes are covered by the admin gate (no admin access → the admin login) plus explicit
rows for the sensitive ones (users, groups, sites, settings, workflows, page editing).
"""

import fnmatch
from dataclasses import dataclass, field

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import Site

from .conftest import ROLES, build_world
from .routes import (
    ADMIN_LOGIN,
    every_route,
    outcome,
    placeholder_url,
)

pytestmark = pytest.mark.django_db


@dataclass
class Row:
    expected: str  # one outcome per role, in ROLES order
    kwargs: object = None  # world -> URL kwargs (defaults: default_kwargs)
    method: str = "get"
    data: dict = field(default_factory=dict)

    def outcomes(self):
        words = self.expected.split()
        assert len(words) == len(ROLES), self.expected
        return dict(zip(ROLES, words, strict=True))


def default_kwargs(w):
    """URL kwargs by name: the objects the fixture's people own or may not own."""
    return {
        "attempt_id": w.finished_attempt.pk,
        "question_id": w.question.pk,
        "course_id": w.course.pk,
        "lesson_id": w.lesson.pk,
        "block_id": w.check_id,
        "code": w.certificate.code,
        "slug": w.contest.slug,
        "contest_id": w.contest.pk,
        "number": 1,
        "kind": "round",
        "page_id": w.course.pk,
        "parent_page_id": w.course.pk,
        "pk": w.course.pk,
    }


def running(w):
    return {"attempt_id": w.running_attempt.pk}


def answer(w):
    return {"attempt_id": w.running_attempt.pk, "question_id": w.running_attempt.draw[0]["q"]}


# --- The site (GET) ------------------------------------------------------------------------
#                                     anon   learner participant trainer other  reviewer organizer
SITE = {
    "login": Row("ok ok ok ok ok ok ok"),
    "logout": Row("405 405 405 405 405 405 405"),  # POST only: a link or an image logs nobody out
    "register": Row("ok redirect redirect redirect redirect redirect redirect"),
    "password_change": Row("login ok ok ok ok ok ok"),
    "password_change_done": Row("login ok ok ok ok ok ok"),
    "password_reset": Row("ok ok ok ok ok ok ok"),
    "password_reset_done": Row("ok ok ok ok ok ok ok"),
    "password_reset_confirm": Row("ok ok ok ok ok ok ok"),  # a bad link says so
    "password_reset_complete": Row("ok ok ok ok ok ok ok"),
    "set_language": Row("redirect redirect redirect redirect redirect redirect redirect"),
    "wagtailcore_login": Row("ok ok ok ok ok ok ok"),  # Wagtail's login for private pages
    # The contest: attempts are their owner's only.
    "quizzes:attempt": Row("login 404 ok 404 404 404 404", running),
    "quizzes:result": Row("login 404 ok 404 404 404 404"),
    "quizzes:review": Row("login 404 ok 404 404 404 404"),
    # Courses: progress actions are POST only; the certificate PDF is its owner's only.
    "courses:procedure_list": Row("ok ok ok ok ok ok ok"),
    "courses:procedure_detail": Row("ok ok ok ok ok ok ok", lambda w: {"code": w.procedure.code}),
    "courses:my_learning": Row("login ok ok ok ok ok ok"),
    "courses:enrol": Row("405 405 405 405 405 405 405"),
    "courses:retake": Row("405 405 405 405 405 405 405"),
    "courses:complete_lesson": Row("405 405 405 405 405 405 405"),
    "courses:check": Row("405 405 405 405 405 405 405"),
    "courses:certificate_download": Row("login ok 404 404 404 404 404"),
    "courses:certificate_verify": Row("ok ok ok ok ok ok ok"),  # public by design: name, course, date
    # Documents: public files of the content.
    "wagtaildocs_serve": Row("ok ok ok ok ok ok ok", lambda w: {"document": w.document}),
    "wagtaildocs_authenticate_with_password": Row("404 404 404 404 404 404 404"),
    "wagtailcore_authenticate_with_password": Row("404 404 404 404 404 404 404"),
    "wagtail_serve": Row("ok ok ok ok ok ok ok"),  # the home page; the other pages: PAGES
}

# --- The JSON API (GET with a token; 401 without) -------------------------------------------
#                                     anon   learner participant trainer other  reviewer organizer
API = {
    "api-schema": Row("ok ok ok ok ok ok ok"),
    "api-docs": Row("ok ok ok ok ok ok ok"),
    "api-register": Row("405 405 405 405 405 405 405"),
    "api-token": Row("405 405 405 405 405 405 405"),
    "api-units": Row("ok ok ok ok ok ok ok"),
    "api-contests": Row("ok ok ok ok ok ok ok"),
    "api-contest": Row("ok ok ok ok ok ok ok"),
    "api-start-attempt": Row("401 405 405 405 405 405 405"),
    "api-leaderboard": Row("ok ok ok ok ok ok ok"),
    "api-leaderboard-me": Row("401 404 ok 404 404 404 404"),  # 404: no result of one's own
    "api-attempt": Row("401 404 ok 404 404 404 404", running),
    "api-answer": Row("401 405 405 405 405 405 405", answer),
    "api-submit": Row("401 405 405 405 405 405 405", running),
    "api-review": Row("401 404 ok 404 404 404 404"),
    "<^api/>": Row("404 404 404 404 404 404 404"),
}

# --- The project's admin screens (GET) --------------------------------------------------------
#                                     anon        learner     participant trainer other  reviewer organizer
ORGANIZER_ONLY = "admin-login admin-login admin-login denied denied denied ok"
ORGANIZER_POST = "admin-login admin-login admin-login denied denied denied 405"
ANY_ADMIN = "admin-login admin-login admin-login ok ok ok ok"
PROCEDURE_EDITORS = "admin-login admin-login admin-login denied denied ok ok"  # reviewers and organizers
NOBODY = "admin-login admin-login admin-login denied denied denied denied"  # superusers only

ADMIN = {
    # Contest results: organizers only; actions are POST.
    "quizzes_results:index": Row(ORGANIZER_ONLY),
    "quizzes_results:dashboard": Row(ORGANIZER_ONLY),
    "quizzes_results:close_round": Row(ORGANIZER_POST),
    "quizzes_results:prizes": Row(ORGANIZER_ONLY),
    "quizzes_results:draft_prizes": Row(ORGANIZER_POST),
    "quizzes_results:confirm_prizes": Row(ORGANIZER_POST),
    # Round 1 has no final ranking yet: the export sends the organizer back with a message.
    "quizzes_results:export": Row("admin-login admin-login admin-login denied denied denied redirect"),
    # People: organizers only.
    "elearning_officials_import": Row(ORGANIZER_ONLY),
    "elearning_officials_import_confirm": Row(ORGANIZER_POST),
    "elearning_officials_import_credentials": Row(ORGANIZER_POST),
    "elearning_unit:*": Row(ORGANIZER_ONLY, lambda w: {"pk": w.participant_unit.pk}),
    "elearning_unit:delete": Row(NOBODY, lambda w: {"pk": w.participant_unit.pk}),
    "elearning_unitkind:*": Row(ORGANIZER_ONLY, lambda w: {"pk": w.participant_unit.kind_id}),
    "elearning_unitkind:delete": Row(NOBODY, lambda w: {"pk": w.participant_unit.kind_id}),
    "elearning_profile:*": Row(ORGANIZER_ONLY, lambda w: {"pk": w.participant_profile.pk}),
    "elearning_profile:delete": Row(NOBODY, lambda w: {"pk": w.participant_profile.pk}),
    # Reports: outdated citations for every admin user; course progress for the course's
    # trainers and the organizers (a trainer of another course sees their own list only).
    "courses_outdated_citations": Row(ANY_ADMIN),
    "courses_outdated_citations_results": Row(ANY_ADMIN),
    "courses_progress_report": Row("admin-login admin-login admin-login ok ok denied ok"),
    "courses_progress_report_course": Row("admin-login admin-login admin-login ok denied denied ok"),
    # Snippets.
    "wagtailsnippets_elearning_legaldocument:list": Row(ANY_ADMIN),
    "wagtailsnippets_elearning_legaldocument:list_results": Row(ANY_ADMIN),
    "wagtailsnippets_elearning_legaldocument:*": Row(ORGANIZER_ONLY, lambda w: {"pk": w.legal_document.pk}),
    "wagtailsnippets_elearning_legaldocument:delete": Row(NOBODY, lambda w: {"pk": w.legal_document.pk}),
    "wagtailsnippetchoosers_elearning_legaldocument:*": Row(ANY_ADMIN, lambda w: {"pk": w.legal_document.pk}),
    "wagtailsnippetchoosers_elearning_legaldocument:create": Row(ORGANIZER_ONLY),
    "wagtailsnippets_courses_procedure:list": Row(ANY_ADMIN),
    "wagtailsnippets_courses_procedure:list_results": Row(ANY_ADMIN),
    "wagtailsnippets_courses_procedure:*": Row(PROCEDURE_EDITORS, lambda w: {"pk": w.procedure.pk}),
    "wagtailsnippetchoosers_courses_procedure:*": Row(ANY_ADMIN, lambda w: {"pk": w.procedure.pk}),
    "wagtailsnippetchoosers_courses_procedure:create": Row(PROCEDURE_EDITORS),
    # The contest's question banks and questions: organizers only.
    "quizzes_bank:*": Row(ORGANIZER_ONLY, lambda w: {"pk": w.contest.bank_id}),
    "quizzes_bank:import_confirm": Row(ORGANIZER_POST),
    "quizzes_question:*": Row(ORGANIZER_ONLY, lambda w: {"pk": w.question.pk}),
    # Sensitive Wagtail screens, with real objects.
    "wagtailusers_users:*": Row(NOBODY, lambda w: {"pk": w.users["participant"].pk}),
    "wagtailusers_groups:*": Row(NOBODY, lambda w: {"pk": w.users["organizer"].groups.first().pk}),
    "wagtailsites:*": Row(NOBODY, lambda w: {"pk": Site.objects.get(is_default_site=True).pk}),
    "wagtailadmin_workflows:index": Row(NOBODY),
    "wagtailadmin_workflows:edit": Row(NOBODY, lambda w: {"pk": w.workflow.pk}),
    "wagtailadmin_workflows:add": Row(NOBODY),
    "wagtailadmin_collections:index": Row(NOBODY),
    "wagtailredirects:index": Row(NOBODY),
    "wagtailredirects:add": Row(NOBODY),
    "wagtaildocs:index": Row(NOBODY),  # documents are uploaded through the choosers (below)
    "wagtailimages:index": Row(NOBODY),
    "wagtailsettings:edit": Row(  # (the address without the site id redirects to the one with it)
        "admin-login admin-login admin-login denied denied denied ok|redirect",
        lambda w: {"app_name": "elearning", "model_name": "sitesettings", "pk": w.site.pk},
    ),
    "wagtailadmin_reports:locked_pages": Row(ORGANIZER_ONLY),
    # Page editing: the trainer edits their own course only; organizers do not write courses;
    # reviewers approve through the workflow and publish (no edit form of their own).
    "wagtailadmin_pages:edit": Row("admin-login admin-login admin-login ok denied denied denied"),
    "wagtailadmin_pages:delete": Row(NOBODY),
    "wagtailadmin_pages:copy": Row("admin-login admin-login admin-login ok denied denied denied"),
    "wagtailadmin_pages:history": Row("admin-login admin-login admin-login ok denied denied denied"),
    "wagtailadmin_pages:unpublish": Row("admin-login admin-login admin-login denied denied ok denied"),
}
# Admin routes with a row above but not walked as GET (need a request body, or end the session).
ADMIN_SPECIAL = {"wagtailadmin_logout": "ends the session: see test_logout_routes_are_post_only"}
# Wagtail's own routes that raise on purpose (its error page test).
SKIPPED = {"wagtailadmin_error_test": "Wagtail's deliberate error view (/admin/failwhale/)"}

# Public account screens of the Wagtail admin (outside the admin gate).
ADMIN_PUBLIC = {
    "wagtailadmin_login": Row("ok ok ok denied denied denied denied"),  # logged-in admins go to the dashboard
    "wagtailadmin_password_reset": Row("ok ok ok ok ok ok ok"),
    "wagtailadmin_password_reset_done": Row("ok ok ok ok ok ok ok"),
    "wagtailadmin_password_reset_confirm": Row("ok ok ok ok ok ok ok"),
    "wagtailadmin_password_reset_complete": Row("ok ok ok ok ok ok ok"),
    "wagtailadmin_sprite": Row("ok ok ok ok ok ok ok"),
    "wagtailadmin_javascript_catalog": Row("ok ok ok ok ok ok ok"),
}

PROJECT_APPS = ("elearning", "courses", "quizzes")


def is_wagtail_builtin(route):
    """A route Wagtail (or Django) ships, not one of this project's screens."""
    if any(app in route.name for app in PROJECT_APPS):
        return False
    return route.module.startswith(("wagtail.", "django.", "drf_spectacular"))


def classify(route):
    """The row for a route, or None when nobody decided who may reach it."""
    for table in (SITE, API, ADMIN, ADMIN_PUBLIC):
        if route.name in table:
            return table[route.name]
        for pattern, row in table.items():
            if "*" in pattern and fnmatch.fnmatchcase(route.name, pattern):
                return row
    return None


# --- helpers ------------------------------------------------------------------------------


def site_clients(world):
    clients = {}
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        clients[role] = client
    return clients


def api_clients(world):
    clients = {}
    for role in ROLES:
        client = APIClient()
        user = world.users[role]
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        clients[role] = client
    return clients


def url_of(route, row, world):
    values = default_kwargs(world)
    if row is not None and row.kwargs is not None:
        values.update(row.kwargs(world))
    if "document" in values:
        return values["document"].url
    return placeholder_url(route.pattern, values)


def mismatches(route, row, world, clients, roles=ROLES):
    url = url_of(route, row, world)
    found = []
    expected = row.outcomes()
    for role in roles:
        if expected[role] == "-":
            continue
        send = getattr(clients[role], row.method)
        response = send(url, row.data, format="json") if row.method != "get" else send(url)
        got = outcome(response)
        if got not in expected[role].split("|"):
            found.append(f"{route.name} {url} as {role}: expected {expected[role]}, got {got}")
    return found


def add_world_extras(world):
    participant = world.users["participant"].profile
    world.objects["participant_profile"] = participant
    world.objects["participant_unit"] = participant.unit
    world.objects["site"] = Site.objects.get(is_default_site=True)
    from wagtail.models import Workflow

    world.objects["workflow"] = Workflow.objects.first()
    return world


@pytest.fixture
def matrix_world(db, file_storage):
    return add_world_extras(build_world())


# --- the tests ----------------------------------------------------------------------------


def test_every_route_is_classified():
    """A new project route fails here until it has a row in one of the tables above."""
    unclassified = [
        f"{route.name}  ({route.pattern}, {route.module})"
        for route in every_route()
        if not is_wagtail_builtin(route)
        and route.name not in SKIPPED
        and route.name not in ADMIN_SPECIAL
        and classify(route) is None
    ]
    assert not unclassified, "Routes nobody classified (add a row to test_access_matrix.py):\n" + "\n".join(
        unclassified
    )


def test_site_routes(matrix_world):
    clients = site_clients(matrix_world)
    routes = [r for r in every_route() if r.name in SITE]
    assert len(routes) >= len(SITE) - 1
    problems = [p for route in routes for p in mismatches(route, SITE[route.name], matrix_world, clients)]
    assert not problems, "\n".join(problems)


def test_api_routes(matrix_world):
    clients = api_clients(matrix_world)
    routes = [r for r in every_route() if r.name in API]
    problems = [p for route in routes for p in mismatches(route, API[route.name], matrix_world, clients)]
    assert not problems, "\n".join(problems)


def test_project_admin_routes(matrix_world):
    clients = site_clients(matrix_world)
    problems, walked = [], 0
    for route in every_route():
        if route.name in SKIPPED or route.name in ADMIN_SPECIAL or not route.is_admin:
            continue
        row = classify(route)
        if row is None or route.name in ADMIN_PUBLIC:
            continue
        problems += mismatches(route, row, matrix_world, clients)
        walked += 1
    assert walked > 60
    assert not problems, "\n".join(problems)


def test_wagtail_admin_gate(matrix_world):
    """Every admin route, Wagtail's included: no admin access, no admin (the admin login page)."""
    clients = site_clients(matrix_world)
    gate = Row(f"{ADMIN_LOGIN} {ADMIN_LOGIN} {ADMIN_LOGIN} - - - -")
    problems, walked = [], 0
    for route in every_route():
        if not route.is_admin or route.name in ADMIN_PUBLIC:
            continue
        problems += mismatches(route, classify(route) or gate, matrix_world, clients, roles=ROLES[:3])
        walked += 1
    assert walked > 200
    assert not problems, "\n".join(problems)


def test_admin_public_routes(matrix_world):
    clients = site_clients(matrix_world)
    problems = []
    for route in every_route():
        if route.name in ADMIN_PUBLIC:
            problems += mismatches(route, ADMIN_PUBLIC[route.name], matrix_world, clients)
    assert not problems, "\n".join(problems)
