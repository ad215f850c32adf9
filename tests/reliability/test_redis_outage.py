"""Redis stopped in the middle of a contest, then started again empty (it keeps nothing on disk).

While it is down the contest goes on: attempts start, answers save, submits grade, the
leaderboards are served from SQL and logged-in people stay logged in (sessions are written
through to the database). When it is back the boards are rebuilt in Redis and match SQL.
"""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .client import api_boards, participants, redis_has_boards
from .harness import http_json

pytestmark = pytest.mark.reliability
PARTICIPANTS = 18


def take_part(person):
    assert person.start()[0] == 201
    assert set(person.answer_many(person.questions())) == {200}
    status, result, _headers = person.submit()
    assert status == 200 and result["state"] == "submitted"
    assert result["rank"] >= 1
    return result


class Browser:
    """A cookie-keeping HTTP client that logs in through the login form (CSRF and all)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def log_in(self, phone, password):
        _status, _url, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": phone, "password": password})
        request = urllib.request.Request(  # noqa: S310 — loopback test server
            self.base + "/accounts/login/", data=data.encode(), headers={"Referer": self.base + "/accounts/login/"}
        )
        with self.opener.open(request, timeout=15) as response:
            return response.status

    def logged_in(self):
        status, url, _page = self.get("/accounts/password/change/")
        return status == 200 and "/accounts/login/" not in url


def test_contest_goes_on_without_redis_and_boards_are_rebuilt(alive, figures):
    stack = alive
    contest = stack.contest(participants=PARTICIPANTS, questions=12, per_attempt=10)
    people = participants(stack, contest)
    before, during, after = people[:6], people[6:14], people[14:]
    browser = Browser(stack.base)
    browser.log_in(contest["participants"][-1]["phone"], contest["password"])
    assert browser.logged_in()

    for person in before:
        take_part(person)
    assert api_boards(stack.base, contest) == stack.agent("boards", contest)
    assert redis_has_boards(stack, contest), "with Redis up the boards are served from Redis"

    stack.redis.stop()
    try:
        started = time.monotonic()
        for person in during:
            take_part(person)
        during_seconds = time.monotonic() - started
        # Served from SQL, and right: everyone who submitted, in order.
        boards = api_boards(stack.base, contest)
        assert boards == stack.agent("boards", contest)
        assert boards["round"]["total"] == len(before) + len(during)
        mine = http_json(
            "GET", f"{stack.base}/api/v1/contests/{contest['slug']}/leaderboard/me/?round=1", during[0].token
        )
        assert mine[0] == 200 and mine[1]["total"] == len(before) + len(during)
        assert http_json("GET", stack.base + contest["url"])[0] == 200  # pages render with the cache down
        assert browser.logged_in(), "a Redis outage must not log anybody out"
    finally:
        stack.redis.start()

    # Back, empty: the first reads rebuild the boards from the database.
    assert not redis_has_boards(stack, contest)
    assert api_boards(stack.base, contest) == stack.agent("boards", contest)
    assert redis_has_boards(stack, contest), "the boards are rebuilt in Redis once it is back"
    for person in after:
        take_part(person)
    rebuilt = api_boards(stack.base, contest)
    assert rebuilt == stack.agent("boards", contest)
    assert rebuilt["round"]["total"] == PARTICIPANTS
    assert browser.logged_in(), "sessions survive Redis coming back empty"
    all_statuses = [status for person in people for status in person.statuses]
    assert not [status for status in all_statuses if status >= 500 or status == 0]

    figures["redis_outage"] = {
        "participants": PARTICIPANTS,
        "graded_while_down": len(during),
        "seconds_for_those_while_down": round(during_seconds, 2),
        "errors": 0,
        "boards_match_sql_after_rebuild": True,
    }
