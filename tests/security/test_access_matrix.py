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
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import Site

from quizzes.models import RoundResult

from .conftest import ROLES, build_world
from .routes import (
    ADMIN_LOGIN,
    DENIED,
    LOGIN,
    REDIRECT,
    every_route,
    outcome,
    placeholder_url,
)

pytestmark = pytest.mark.django_db


@dataclass
class Row:
    expected: str  # one outcome per role, in ROLES order
    kwargs: object = None  # world -> URL kwargs (defaults: default_kwargs)

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
    # POST only, and a GET leaves the session alone (elearning.security.admin_logout_view).
    "wagtailadmin_logout": Row("405 405 405 405 405 405 405"),
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
        got = outcome(clients[role].get(url))
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
        if not is_wagtail_builtin(route) and route.name not in SKIPPED and classify(route) is None
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
        if route.name in SKIPPED or not route.is_admin:
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


# --- Wagtail pages of the fixture site (GET) -------------------------------------------------
#                  anon  learner participant trainer other reviewer organizer
PAGES = {
    "home": Row("ok ok ok ok ok ok ok"),
    "news_index": Row("ok ok ok ok ok ok ok"),
    "news": Row("ok ok ok ok ok ok ok"),
    "course_index": Row("ok ok ok ok ok ok ok"),
    "course": Row("ok ok ok ok ok ok ok"),
    "lesson": Row("ok ok ok ok ok ok ok"),
    "other_course": Row("ok ok ok ok ok ok ok"),
    "contest_index": Row("ok ok ok ok ok ok ok"),
    "contest": Row("ok ok ok ok ok ok ok"),
    "contest/leaderboard/": Row("ok ok ok ok ok ok ok"),
    "contest/winners/": Row("ok ok ok ok ok ok ok"),
    "contest/start/": Row("redirect redirect redirect redirect redirect redirect redirect"),  # POST only
    "draft_course": Row("404 404 404 404 404 404 404"),  # not published: nobody sees it on the site
}


def page_url(world, key):
    if "/" in key:
        page_key, sub = key.split("/", 1)
        return world.objects[page_key].url + sub
    if key == "home":
        return "/"
    if key == "course_index":
        return world.course.get_parent().url
    if key == "contest_index":
        return world.contest.get_parent().url
    return world.objects[key].url


def test_wagtail_pages(matrix_world):
    from tests.factories.courses import CoursePageFactory

    draft = CoursePageFactory(parent=matrix_world.course.get_parent(), live=False, title="Bản nháp")
    clients = site_clients(matrix_world)
    problems = []
    for key, row in PAGES.items():
        url = (
            page_url(matrix_world, key)
            if key != "draft_course"
            else f"{page_url(matrix_world, 'course_index')}{draft.slug}/"
        )
        for role, expected in row.outcomes().items():
            got = outcome(clients[role].get(url))
            if got != expected:
                problems.append(f"page {key} {url} as {role}: expected {expected}, got {got}")
    assert not problems, "\n".join(problems)


# --- Changes: POST only, CSRF token required, and only by those allowed ----------------------


def csrf_client(user):
    """A browser that sends CSRF tokens only when told to: ``client.token`` is its token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("password_reset"))  # any page with a form sets the CSRF cookie
    client.token = client.cookies["csrftoken"].value
    return client


def test_closing_a_round_needs_post_csrf_and_an_organizer(matrix_world):
    round_1 = matrix_world.round_1
    url = reverse("quizzes_results:close_round", args=[matrix_world.contest.pk, round_1.number])
    organizer = csrf_client(matrix_world.users["organizer"])

    assert organizer.get(url).status_code == 405
    assert organizer.post(url).status_code == 403  # no CSRF token: refused before the view
    for role in ("trainer", "reviewer", "learner"):
        intruder = csrf_client(matrix_world.users[role])
        assert outcome(intruder.post(url, {"csrfmiddlewaretoken": intruder.token})) in (DENIED, ADMIN_LOGIN)
    assert not RoundResult.objects.filter(round=round_1, finalized_at__isnull=False).exists()

    response = organizer.post(url, {"csrfmiddlewaretoken": organizer.token})
    assert outcome(response) == REDIRECT
    assert RoundResult.objects.get(round=round_1).is_final


@pytest.mark.parametrize(
    "name",
    [
        "quizzes_results:draft_prizes",
        "quizzes_results:confirm_prizes",
        "elearning_officials_import_confirm",
        "elearning_officials_import_credentials",
        "quizzes_bank:import_confirm",
    ],
)
def test_other_organizer_actions_refuse_a_post_without_csrf_token(matrix_world, name):
    args = [matrix_world.contest.pk] if name.startswith("quizzes_results") else []
    url = reverse(name, args=args)
    organizer = csrf_client(matrix_world.users["organizer"])
    assert organizer.post(url, {"payload": "x"}).status_code == 403
    trainer = csrf_client(matrix_world.users["trainer"])
    assert outcome(trainer.post(url, {"csrfmiddlewaretoken": trainer.token, "payload": "x"})) == DENIED
    # With the token the organizer reaches the view (a bad payload is refused there, not by CSRF).
    response = organizer.post(url, {"csrfmiddlewaretoken": organizer.token, "payload": "x"})
    assert outcome(response) != DENIED


def test_learner_actions_refuse_a_post_without_csrf_token(matrix_world):
    from courses.models import Enrolment

    w = matrix_world
    learner = csrf_client(w.users["learner"])
    participant = csrf_client(w.users["participant"])
    urls = [
        reverse("courses:enrol", args=[w.course.pk]),
        reverse("courses:retake", args=[w.course.pk]),
        reverse("courses:complete_lesson", args=[w.lesson.pk]),
        reverse("courses:check", args=[w.lesson.pk, w.check_id]),
        reverse("logout"),
    ]
    for url in urls:
        assert learner.post(url, {"choices": ["0"]}).status_code == 403, url
    assert participant.post(reverse("courses:enrol", args=[w.course.pk])).status_code == 403
    assert not Enrolment.objects.filter(user=w.users["participant"]).exists()
    response = participant.post(
        reverse("courses:enrol", args=[w.course.pk]), {"csrfmiddlewaretoken": participant.token}
    )
    assert outcome(response) == REDIRECT
    assert Enrolment.objects.filter(user=w.users["participant"], course=w.course).exists()


def test_contest_start_page_refuses_a_post_without_csrf_token(matrix_world):
    from quizzes.models import Attempt

    learner = csrf_client(matrix_world.users["learner"])
    url = matrix_world.contest.url + "start/"
    assert learner.post(url).status_code == 403
    assert not Attempt.objects.filter(user=matrix_world.users["learner"]).exists()


def test_api_with_a_session_needs_the_csrf_token_but_a_token_client_does_not(matrix_world):
    """The quiz runner uses the session (and sends the token); API clients use a token."""
    attempt = matrix_world.running_attempt
    url = reverse("api-answer", args=[attempt.pk, attempt.draw[0]["q"]])
    browser = csrf_client(matrix_world.users["participant"])
    refused = browser.put(url, {"choices": []}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    accepted = browser.put(url, {"choices": []}, content_type="application/json", HTTP_X_CSRFTOKEN=browser.token)
    assert accepted.status_code == 200
    token_client = api_clients(matrix_world)["participant"]
    assert token_client.put(url, {"choices": []}, format="json").status_code == 200


def test_nobody_writes_to_someone_elses_attempt(matrix_world):
    from quizzes.models import Answer, Attempt

    attempt = matrix_world.running_attempt
    question = attempt.draw[0]["q"]
    choice = attempt.draw[0]["c"][0]
    clients = api_clients(matrix_world)
    answer_url = reverse("api-answer", args=[attempt.pk, question])
    submit_url = reverse("api-submit", args=[attempt.pk])
    for role in ("learner", "trainer", "other_trainer", "reviewer", "organizer"):
        assert clients[role].put(answer_url, {"choices": [choice]}, format="json").status_code == 404, role
        assert clients[role].post(submit_url, {"prediction": 3}, format="json").status_code == 404, role
        assert clients[role].get(reverse("api-attempt", args=[attempt.pk])).status_code == 404, role
    assert clients["anonymous"].put(answer_url, {"choices": [choice]}, format="json").status_code == 401
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert Attempt.objects.get(pk=attempt.pk).state == "in_progress"
    # Its owner can.
    assert clients["participant"].put(answer_url, {"choices": [choice]}, format="json").status_code == 200
    assert clients["participant"].post(submit_url, {"prediction": 3}, format="json").status_code == 200


def test_the_no_javascript_runner_refuses_someone_elses_attempt(matrix_world):
    attempt = matrix_world.running_attempt
    url = reverse("quizzes:attempt", args=[attempt.pk])
    learner = csrf_client(matrix_world.users["learner"])
    question = attempt.draw[0]["q"]
    response = learner.post(
        url,
        {"csrfmiddlewaretoken": learner.token, f"present_{question}": "1", f"q_{question}": "1", "action": "submit"},
    )
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_logout_routes_are_post_only(matrix_world):
    """GET never ends a session (a link or an image cannot log anyone out); POST does."""
    for name, role in (("logout", "learner"), ("wagtailadmin_logout", "organizer")):
        client = csrf_client(matrix_world.users[role])
        assert client.get(reverse(name)).status_code == 405
        assert client.get(reverse("courses:my_learning")).status_code == 200
        client.post(reverse(name), {"csrfmiddlewaretoken": client.token})
        assert outcome(client.get(reverse("courses:my_learning"))) == LOGIN
