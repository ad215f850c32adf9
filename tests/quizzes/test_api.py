"""The contest API exactly as DESIGN.md's table says: shapes, codes, owners."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from quizzes.models import Attempt
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import make_contest

from .helpers import answer_all

pytestmark = pytest.mark.django_db


def start(client, contest):
    return client.post(f"/api/v1/contests/{contest.slug}/attempts/", format="json")


def test_contest_list_and_detail_shapes(api, contest):
    response = api.get("/api/v1/contests/")
    assert response.status_code == 200
    [item] = response.json()
    assert set(item) == {
        "slug",
        "title",
        "current_round",
        "questions_per_attempt",
        "time_limit_seconds",
        "attempts_per_round",
    }
    assert item["current_round"]["number"] == 1 and item["current_round"]["state"] == "open"
    detail = api.get(f"/api/v1/contests/{contest.slug}/").json()
    assert [r["number"] for r in detail["rounds"]] == [1, 2]
    assert detail["rounds"][1]["state"] == "upcoming"
    assert detail["prediction_question"] == contest.prediction_question
    missing = api.get("/api/v1/contests/nope/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Không tìm thấy.", "code": "not_found"}


def test_unpublished_contest_is_invisible(api, contest):
    contest.unpublish()
    assert api.get("/api/v1/contests/").json() == []
    assert api.get(f"/api/v1/contests/{contest.slug}/").status_code == 404


def test_start_needs_login(api, contest):
    response = start(api, contest)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_start_with_token_then_resume(api, contest, participant):
    token = Token.objects.create(user=participant)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    first = start(api, contest)
    assert first.status_code == 201
    data = first.json()
    assert data["state"] == "in_progress"
    assert 595 <= data["seconds_left"] <= 600
    assert len(data["questions"]) == 5
    assert set(data["questions"][0]) == {"id", "text", "kind", "choices"}
    assert set(data["questions"][0]["choices"][0]) == {"id", "text"}
    again = start(api, contest)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert again.json()["questions"] == data["questions"]


def test_error_codes_of_start(client_for, participant, official):
    closed = make_contest(
        questions=5,
        rounds=[{"opens_at": timezone.now() - timedelta(days=9), "closes_at": timezone.now() - timedelta(days=2)}],
    )
    response = start(client_for(participant), closed)
    assert (response.status_code, response.json()["code"]) == (409, "no_open_round")
    officials_only = make_contest(questions=5, rounds=1, eligibility="officials")
    response = start(client_for(participant), officials_only)
    assert (response.status_code, response.json()["code"]) == (403, "not_eligible")
    once = make_contest(questions=5, rounds=1, attempts_per_round=1)
    client = client_for(official)
    attempt_id = start(client, once).json()["id"]
    client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 1}, format="json")
    response = start(client, once)
    assert (response.status_code, response.json()["code"]) == (409, "attempts_exhausted")


def test_attempt_is_404_for_anyone_but_its_owner(client_for, contest, participant):
    attempt_id = start(client_for(participant), contest).json()["id"]
    intruder = client_for(ProfileFactory().user)
    qid = Attempt.objects.get(pk=attempt_id).draw[0]["q"]
    for method, path, body in [
        ("get", f"/api/v1/attempts/{attempt_id}/", None),
        ("put", f"/api/v1/attempts/{attempt_id}/answers/{qid}/", {"choices": []}),
        ("post", f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 1}),
        ("get", f"/api/v1/attempts/{attempt_id}/review/", None),
    ]:
        response = getattr(intruder, method)(path, body, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    assert Attempt.objects.get(pk=attempt_id).state == "in_progress"


def test_an_id_too_large_for_the_database_is_404(client_for, contest, participant):
    """Found by the API fuzzer: the submit's prebuilt statement raised OverflowError (a 500) on SQLite."""
    client = client_for(participant)
    attempt_id = start(client, contest).json()["id"]
    qid = Attempt.objects.get(pk=attempt_id).draw[0]["q"]
    huge = 10**20
    for method, path, body in [
        ("get", f"/api/v1/attempts/{huge}/", None),
        ("put", f"/api/v1/attempts/{huge}/answers/{qid}/", {"choices": []}),
        ("put", f"/api/v1/attempts/{attempt_id}/answers/{huge}/", {"choices": []}),
        ("post", f"/api/v1/attempts/{huge}/submit/", {"prediction": 1}),
        ("get", f"/api/v1/attempts/{huge}/review/", None),
    ]:
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 404, path
    assert Attempt.objects.get(pk=attempt_id).state == "in_progress"


def test_autosave_and_its_errors(client_for, contest, participant):
    client = client_for(participant)
    attempt_id = start(client, contest).json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    item = attempt.draw[0]
    url = f"/api/v1/attempts/{attempt_id}/answers/{item['q']}/"
    ok = client.put(url, {"choices": [item["c"][1]]}, format="json")
    assert ok.status_code == 200
    assert ok.json()["choices"] == [item["c"][1]]
    assert client.get(f"/api/v1/attempts/{attempt_id}/").json()["answers"] == {str(item["q"]): [item["c"][1]]}
    for body in ({"choices": [attempt.draw[1]["c"][0]]}, {"choices": "x"}, {}, {"choices": [None]}, [1, 2]):
        response = client.put(url, body, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "invalid_choice"), body
    response = client.put(url, data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    response = client.put(f"/api/v1/attempts/{attempt_id}/answers/999999999/", {"choices": []}, format="json")
    assert response.status_code == 404
    client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 2}, format="json")
    response = client.put(url, {"choices": [item["c"][0]]}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "attempt_finished")


def test_deadline_passed_over_the_api(client_for, participant):
    contest = make_contest(questions=5, rounds=1, time_limit_seconds=60)
    client = client_for(participant)
    attempt_id = start(client, contest).json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    Attempt.objects.filter(pk=attempt_id).update(
        started_at=attempt.started_at - timedelta(seconds=63), deadline=attempt.deadline - timedelta(seconds=63)
    )
    item = attempt.draw[0]
    response = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{item['q']}/", {"choices": item["c"][:1]}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "deadline_passed")
    data = client.get(f"/api/v1/attempts/{attempt_id}/").json()
    assert data["state"] == "expired" and data["score"] == 0 and data["seconds_left"] == 0
    result = client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 4}, format="json")
    assert result.status_code == 200 and result.json()["state"] == "expired"


def test_submit_shapes_prediction_errors_and_idempotence(client_for, contest, participant):
    client = client_for(participant)
    attempt_id = start(client, contest).json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    for qid, choices in answer_all(attempt, right=3).items():
        client.put(f"/api/v1/attempts/{attempt_id}/answers/{qid}/", {"choices": choices}, format="json")
    url = f"/api/v1/attempts/{attempt_id}/submit/"
    for bad in ({}, {"prediction": -1}, {"prediction": 10_000_001}, {"prediction": "many"}, {"prediction": 2.5}):
        response = client.post(url, bad, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "invalid_prediction"), bad
    response = client.post(url, {"prediction": 10_000_000}, format="json")
    assert response.status_code == 200
    result = response.json()
    assert set(result) == {"state", "score", "max_score", "duration_seconds", "rank"}
    assert (result["state"], result["score"], result["max_score"], result["rank"]) == ("submitted", 3, 5, 1)
    repeat = client.post(url, {"prediction": 5}, format="json")
    assert repeat.json() == result
    assert Attempt.objects.get(pk=attempt_id).prediction == 10_000_000


def test_review_follows_the_policy(client_for, participant):
    after_round = make_contest(questions=5, rounds=1, review="after_round")
    client = client_for(participant)
    attempt_id = start(client, after_round).json()["id"]
    response = client.get(f"/api/v1/attempts/{attempt_id}/review/")
    assert (response.status_code, response.json()["code"]) == (403, "review_not_available")
    client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 1}, format="json")
    assert client.get(f"/api/v1/attempts/{attempt_id}/review/").status_code == 403
    after_round.rounds.update(closes_at=timezone.now() - timedelta(seconds=1))
    review = client.get(f"/api/v1/attempts/{attempt_id}/review/")
    assert review.status_code == 200
    question = review.json()["questions"][0]
    assert {"id", "text", "chosen", "correct_choices", "explanation"} <= set(question)
    assert question["correct_choices"]

    after_submit = make_contest(questions=5, rounds=1, review="after_submit")
    attempt_id = start(client, after_submit).json()["id"]
    assert client.get(f"/api/v1/attempts/{attempt_id}/review/").status_code == 403
    client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 1}, format="json")
    assert client.get(f"/api/v1/attempts/{attempt_id}/review/").status_code == 200

    never = make_contest(questions=5, rounds=1, review="never")
    attempt_id = start(client, never).json()["id"]
    client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 1}, format="json")
    never.rounds.update(closes_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/api/v1/attempts/{attempt_id}/review/").status_code == 403


def test_no_response_leaks_the_correct_choice_before_review(client_for, contest, participant):
    """Nothing in any response before review says 'correct' or marks choices."""
    client = client_for(participant)
    bodies = []
    started = start(client, contest)
    bodies.append(started.content)
    attempt_id = started.json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    item = attempt.draw[0]
    bodies.append(
        client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{item['q']}/", {"choices": item["c"][:1]}, format="json"
        ).content
    )
    bodies.append(client.get(f"/api/v1/attempts/{attempt_id}/").content)
    bodies.append(client.post(f"/api/v1/attempts/{attempt_id}/submit/", {"prediction": 1}, format="json").content)
    bodies.append(client.get(f"/api/v1/attempts/{attempt_id}/").content)
    bodies.append(client.get(f"/api/v1/contests/{contest.slug}/").content)
    for body in bodies:
        text = body.decode()
        assert "correct" not in text and "is_correct" not in text and "explanation" not in text, text[:300]


def test_api_errors_are_json_for_unknown_routes_and_methods(api, contest):
    response = api.delete(f"/api/v1/contests/{contest.slug}/")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
