"""Hardening: the Content-Security-Policy, cookies, sessions, password rules, login locks,
per-IP limits behind the proxy, and the audit log of organizer actions.

(The account pages' own tests — tests/elearning/test_accounts_pages.py — cover the page
behaviour in detail; these check the security promises end to end.)
"""

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageLogEntry

from elearning.models import Profile
from quizzes.services.results import close_round
from tests.factories.elearning import ProfileFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Mat-khau-2018"
LOGIN = "/accounts/login/"


# --- Content-Security-Policy --------------------------------------------------------------------


def policy_of(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def public_urls(world):
    return [
        "/",
        world.news.url,
        world.news_index.url,
        world.course.url,
        world.lesson.url,
        world.contest.url,
        world.contest.url + "leaderboard/",
        reverse("courses:procedure_list"),
        reverse("courses:certificate_verify", args=[world.certificate.code]),
        reverse("quizzes:attempt", args=[world.running_attempt.pk]),  # the quiz runner
        reverse("quizzes:result", args=[world.finished_attempt.pk]),
        reverse("courses:my_learning"),
        LOGIN,
        reverse("register"),
        "/api/v1/docs/",
    ]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("role", ["anonymous", "participant", "organizer"])
def test_public_pages_allow_scripts_from_the_site_only_and_carry_none_inline(world, role):
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])  # an editor also gets Wagtail's user bar
    checked = 0
    for url in public_urls(world):
        response = client.get(url)
        if response.status_code != 200:
            continue  # my learning, the runner and the result are their owner's: checked as them
        checked += 1
        policy = policy_of(response)
        assert policy["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy["default-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        html = response.content.decode()
        assert not INLINE_SCRIPT.findall(html), (url, INLINE_SCRIPT.findall(html))
        assert not EVENT_HANDLER.findall(html), (url, EVENT_HANDLER.findall(html))
        assert "javascript:" not in html.lower(), url
    assert checked >= {"anonymous": 11, "participant": 14, "organizer": 12}[role]


def test_the_admin_is_exempt_and_documents_keep_their_own_stricter_policy(world, client):
    client.force_login(world.users["organizer"])
    assert "Content-Security-Policy" not in client.get("/admin/")
    response = client.get(world.document.url)
    assert response["Content-Security-Policy"] == "default-src 'none'"


# --- Cookies and sessions ----------------------------------------------------------------------------


def production_settings(*names):
    """Values of expressions on the production settings ``s`` (a fresh process, as deployed)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "elearning.settings.production",
        "SECRET_KEY": "k" * 30 + "-production-secret-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "cchc.example.vn",
    }
    code = "from django.conf import settings as s; import json; print(json.dumps([" + ",".join(names) + "]))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_and_samesite_and_proxies_counted():
    values = production_settings(
        "s.SESSION_COOKIE_SECURE",
        "s.SESSION_COOKIE_HTTPONLY",
        "s.SESSION_COOKIE_SAMESITE",
        "s.CSRF_COOKIE_SECURE",
        "s.CSRF_COOKIE_SAMESITE",
        "s.SECURE_SSL_REDIRECT",
        "s.SECURE_HSTS_SECONDS",
        "s.REST_FRAMEWORK['NUM_PROXIES']",
        "'elearning.security.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE",
        "s.WAGTAILDOCS_INLINE_CONTENT_TYPES",
    )
    assert values == [True, True, "Lax", True, "Lax", True, 365 * 24 * 3600, 1, True, []]


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_login_sets_cookies_the_way_production_does(client):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    client.get(LOGIN)
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_a_session_from_before_the_login_is_not_the_logged_in_one(client):
    """Session fixation: whatever session the browser had, the login gets a new key."""
    person = ProfileFactory(user__username="0912345678", phone="0912345678")
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before)  # the old key is gone, not just unused
    assert SessionStore(session_key=after)[SESSION_KEY] == str(person.user.pk)


def test_a_session_is_dead_after_logout_even_if_its_cookie_is_replayed(client):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("courses:my_learning")).status_code == 200
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(reverse("courses:my_learning"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not SessionStore().exists(stolen)


# --- Password rules -------------------------------------------------------------------------------------


def registration(**overrides):
    unit = UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch")
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "phone": "0912345678",
        "password1": "Hoa-Yen-Trach-2018",
        "password2": "Hoa-Yen-Trach-2018",
        "unit": unit.code,
        "birth_year": "1990",
        "email": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "weak",
    [
        "12345678",  # only digits
        "password",  # common
        "0912345678",  # the phone number itself
        "abc",  # too short
    ],
)
def test_registration_refuses_weak_passwords(client, weak):
    response = client.post(reverse("register"), registration(password1=weak, password2=weak))
    assert response.status_code == 200
    assert response.context["form"].errors.get("password1"), weak
    assert not Profile.objects.exists()


def test_the_api_applies_the_same_password_rules(client):
    UnitFactory(code="xa-yen-trach")
    response = client.post(
        "/api/v1/auth/register/",
        {
            "full_name": "Nguyễn Thị Hoa",
            "phone": "0912345678",
            "password": "12345678",
            "unit": "xa-yen-trach",
            "birth_year": 1990,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "password" in response.json()["fields"]
    assert not Profile.objects.exists()


# --- Login lock: per account, the same answer whether the account exists or not -------------------------


def strip_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_locked_account_and_an_unknown_one_get_the_same_answer(client):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    for username in ("0912345678", "0987654321"):  # known, unknown
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            client.post(LOGIN, {"username": username, "password": "wrong"})
    known = client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})  # even the right password
    unknown = client.post(LOGIN, {"username": "0987654321", "password": PASSWORD})
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] and unknown["Retry-After"]
    assert strip_tokens(known.content.decode()).replace("0912345678", "X") == strip_tokens(
        unknown.content.decode()
    ).replace("0987654321", "X")
    assert SESSION_KEY not in client.session


def test_the_admin_login_shares_the_lock(client):
    """The Wagtail admin's login goes through the same backend: no second door for guessing."""
    organizer = user_with_role("Organizer")
    organizer.username = "0911111111"
    organizer.save()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "0911111111", "password": "wrong"})
    response = client.post(reverse("wagtailadmin_login"), {"username": "0911111111", "password": PASSWORD})
    assert SESSION_KEY not in client.session
    assert response.status_code in (200, 403, 429)


def test_password_reset_answers_the_same_and_caps_mails_per_account(client):
    person = ProfileFactory(user__username="0912345678", phone="0912345678")
    person.user.email = "hoa@example.vn"
    person.user.save()
    answers = []
    for identifier in ["0912345678"] * 8 + ["0987654321", "nobody@example.vn"]:
        response = client.post(reverse("password_reset"), {"email": identifier})
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1  # known, capped, unknown: one answer
    assert len(mail.outbox) == 5  # the cap, whoever asks
    assert all(message.to == ["hoa@example.vn"] for message in mail.outbox)


# --- Per-IP limits behind the proxy ---------------------------------------------------------------------


def test_behind_one_proxy_a_forged_forwarded_for_does_not_reset_the_per_ip_count(client):
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["token_ip"] = "3/hour"
    rest["NUM_PROXIES"] = 1
    statuses = []
    with override_settings(REST_FRAMEWORK=rest):
        for forged in range(5):
            response = client.post(
                "/api/v1/auth/token/",
                {"username": "0900000000", "password": "x" * 8},
                content_type="application/json",
                # What the client sent, then what the proxy appended (the real address).
                HTTP_X_FORWARDED_FOR=f"10.{forged}.{forged}.{forged}, 203.0.113.7",
                REMOTE_ADDR="127.0.0.1",
            )
            statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 429, 429]


# --- Audit log ----------------------------------------------------------------------------------------


def test_closing_a_round_is_written_to_the_audit_log(world):
    organizer = world.users["organizer"]
    close_round(world.round_1, user=organizer)
    entries = list(PageLogEntry.objects.filter(action="quizzes.close_round")) + list(
        ModelLogEntry.objects.filter(action="quizzes.close_round")
    )
    assert len(entries) == 1
    entry = entries[0]
    assert entry.user_id == organizer.pk
    assert entry.data["round"] == 1
    assert entry.data["participants"] == 1
    assert entry.label and entry.message  # registered action: Site history shows it by name


def log_actions(contest):
    return list(
        PageLogEntry.objects.filter(page=contest, action__startswith="quizzes.")
        .order_by("timestamp", "pk")
        .values_list("action", "user_id")
    )


def test_every_organizer_action_on_the_results_screen_is_audited(world):
    """Close a round, draft and confirm prizes, export: each leaves an entry naming who did it."""
    from quizzes.models import PrizeRule
    from tests.security.test_access_matrix import csrf_client

    organizer = world.users["organizer"]
    contest = world.contest
    PrizeRule.objects.create(contest=contest, level="first", count=1)
    client = csrf_client(organizer)
    token = {"csrfmiddlewaretoken": client.token}
    client.post(reverse("quizzes_results:close_round", args=[contest.pk, 1]), token)
    client.post(reverse("quizzes_results:draft_prizes", args=[contest.pk]), token)
    prizes_page = client.get(reverse("quizzes_results:prizes", args=[contest.pk])).content.decode()
    fingerprint = re.search(r'name="draft" value="([^"]+)"', prizes_page)
    assert fingerprint, "the prize draft to confirm"
    client.post(reverse("quizzes_results:confirm_prizes", args=[contest.pk]), {**token, "draft": fingerprint[1]})
    export = client.get(reverse("quizzes_results:export", args=[contest.pk, "round"]), {"round": 1})
    assert export.status_code == 200
    actions = log_actions(contest)
    assert ("quizzes.close_round", organizer.pk) in actions
    assert ("quizzes.draft_prizes", organizer.pk) in actions
    assert ("quizzes.export", organizer.pk) in actions
    assert ("quizzes.confirm_prizes", organizer.pk) in actions
    # A refused attempt (a trainer) leaves the round alone and writes nothing.
    before = len(log_actions(contest))
    trainer = csrf_client(world.users["trainer"])
    trainer.post(reverse("quizzes_results:close_round", args=[contest.pk, 2]), {"csrfmiddlewaretoken": trainer.token})
    assert len(log_actions(contest)) == before
