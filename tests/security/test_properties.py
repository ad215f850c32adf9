"""Properties of grading and ranking, for any input Hypothesis can think of; and of API errors."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.leaderboards.redis_backend import DURATION_CAP, contest_value, round_member, round_value
from quizzes.services.attempts import score_answers
from quizzes.services.results import NO_PREDICTION, Entry, actual_count, rank_entries

# --- grading -------------------------------------------------------------------------------

question_ids = st.lists(st.integers(1, 10_000), min_size=1, max_size=30, unique=True)


@st.composite
def graded_draws(draw):
    """A draw, the correct choices of its questions, and some answers (right, wrong, missing, odd)."""
    qids = draw(question_ids)
    items, correct, answers = [], {}, {}
    for qid in qids:
        choices = [qid * 10 + i for i in range(draw(st.integers(2, 6)))]
        items.append({"q": qid, "k": "multiple", "c": choices})
        correct[qid] = set(draw(st.lists(st.sampled_from(choices), min_size=1, unique=True)))
        answers_kind = draw(st.sampled_from(["right", "subset", "other", "none", "empty", "stranger"]))
        if answers_kind == "right":
            answers[qid] = list(correct[qid])
        elif answers_kind == "subset":
            answers[qid] = list(correct[qid])[:-1]
        elif answers_kind == "other":
            answers[qid] = draw(st.lists(st.sampled_from(choices), unique=True))
        elif answers_kind == "empty":
            answers[qid] = []
        elif answers_kind == "stranger":  # ids from another question, or not ids at all
            answers[qid] = draw(st.lists(st.integers(-5, 10**9), max_size=4))
    # Answers to questions that are not in the draw never count.
    answers.update({qid + 100_000: [1] for qid in draw(st.lists(st.integers(1, 50), max_size=3))})
    return items, correct, answers


@given(graded_draws())
def test_score_is_between_zero_and_the_number_of_questions(case):
    items, correct, answers = case
    assert 0 <= score_answers(items, answers, correct) <= len(items)


@given(graded_draws(), st.randoms())
def test_the_order_of_questions_and_of_chosen_choices_does_not_change_the_score(case, rnd):
    items, correct, answers = case
    shuffled_items = items[:]
    rnd.shuffle(shuffled_items)
    shuffled_answers = {qid: rnd.sample(chosen, len(chosen)) for qid, chosen in reversed(list(answers.items()))}
    assert score_answers(shuffled_items, shuffled_answers, correct) == score_answers(items, answers, correct)


@given(graded_draws())
def test_the_score_counts_exactly_the_questions_answered_with_the_correct_set(case):
    items, correct, answers = case
    expected = sum(1 for item in items if answers.get(item["q"]) and set(answers[item["q"]]) == correct[item["q"]])
    assert score_answers(items, answers, correct) == expected
    # All right: full score. Nothing answered: zero.
    assert score_answers(items, {i["q"]: sorted(correct[i["q"]]) for i in items}, correct) == len(items)
    assert score_answers(items, {}, correct) == 0


# --- final ranking ------------------------------------------------------------------------------


@st.composite
def entries(draw):
    users = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=40, unique=True))
    return [
        Entry(
            user_id=user,
            attempt_id=user * 7,
            unit_id=None,
            group=draw(st.sampled_from(["official", "citizen"])),
            score=draw(st.integers(0, 5)),
            max_score=5,
            duration_ms=draw(st.integers(0, 3)) * 1000,  # few values: many ties to break
            submitted_ms=draw(st.integers(0, 3)),
            prediction=draw(st.none() | st.integers(0, 10)),
        )
        for user in users
    ]


def final_key(entry, actual):
    distance = NO_PREDICTION if entry.prediction is None else abs(entry.prediction - actual)
    return (-entry.score, distance, entry.duration_ms, entry.submitted_ms, entry.user_id)


@given(entries(), st.sampled_from(["participants", "full_score"]), st.randoms())
def test_the_final_ranking_is_a_strict_total_order_consistent_with_its_key(items, kind, rnd):
    actual = actual_count(items, kind)
    ranked = rank_entries(items, actual)
    keys = [final_key(entry, actual) for entry in ranked]
    assert all(a < b for a, b in zip(keys, keys[1:], strict=False))  # strictly increasing: no ties, no gaps
    assert sorted(e.user_id for e in ranked) == sorted(e.user_id for e in items)  # everyone, once
    shuffled = items[:]
    rnd.shuffle(shuffled)
    assert [e.user_id for e in rank_entries(shuffled, actual)] == [e.user_id for e in ranked]  # input order irrelevant


@given(entries())
def test_a_better_score_always_ranks_first_whatever_the_prediction(items):
    ranked = rank_entries(items, actual_count(items, "participants"))
    scores = [entry.score for entry in ranked]
    assert scores == sorted(scores, reverse=True)


# --- live leaderboard ordering (Redis encoding = the SQL order) --------------------------------------

standing = st.tuples(
    st.integers(0, 200),  # score
    st.integers(0, DURATION_CAP),  # duration_ms
    st.integers(0, 4_102_444_800_000),  # submitted_ms, up to 2100
    st.integers(1, 10**9),  # user id
)


@given(st.lists(standing, min_size=2, max_size=30, unique_by=lambda s: s[3]))
def test_the_redis_round_board_orders_like_the_sql_board(rows):
    sql_order = sorted(rows, key=lambda r: (-r[0], r[1], r[2], r[3]))
    # ZREVRANGE: value descending, ties by member in reverse byte order.
    redis_order = sorted(rows, key=lambda r: (round_value(r[0], r[1]), round_member(r[2], r[3])), reverse=True)
    assert redis_order == sql_order
    for score, duration, *_rest in rows:  # a Redis score is a double: the value must survive it
        assert float(round_value(score, duration)) == round_value(score, duration)


@given(st.integers(0, 2_000), st.integers(0, DURATION_CAP * 1000))
def test_contest_board_values_stay_exact_in_a_double(score, duration):
    value = contest_value(score, duration)
    assert float(value) == value


# --- every API error is JSON with a code ----------------------------------------------------------

api_paths = st.one_of(
    st.sampled_from(
        [
            "/api/v1/contests/{x}/",
            "/api/v1/contests/{x}/attempts/",
            "/api/v1/contests/{x}/leaderboard/?round={x}&limit={x}&offset={x}&scope={x}",
            "/api/v1/contests/{x}/leaderboard/me/?round={x}",
            "/api/v1/attempts/{x}/",
            "/api/v1/attempts/{x}/answers/{x}/",
            "/api/v1/attempts/{x}/submit/",
            "/api/v1/attempts/{x}/review/",
            "/api/v1/auth/token/",
            "/api/v1/auth/register/",
            "/api/v1/{x}/",
            "/api/{x}",
        ]
    ),
)
segments = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12).map(
    lambda text: "".join(ch for ch in text if ch not in "/?#%&=") or "0"
)
bodies = st.one_of(
    st.none(),
    st.binary(max_size=60),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=6,
    ).map(json.dumps),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=api_paths,
    part=segments,
    method=st.sampled_from(["get", "post", "put", "patch", "delete"]),
    body=bodies,
    token=st.sampled_from([None, "Token nonsense", "Bearer x", "Token "]),
)
def test_every_api_error_is_json_with_a_detail_and_a_code(client, path, part, method, body, token):
    from urllib.parse import quote

    url = path.replace("{x}", quote(part, safe=""))
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    send = getattr(client, method)
    if body is None or method == "get":
        response = send(url, **headers)
    else:
        response = send(url, data=body, content_type="application/json", **headers)
    assert response.status_code < 500, (method, url, response.status_code)
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), (method, url, response["Content-Type"])
        data = response.json()
        assert isinstance(data["detail"], str) and data["detail"]
        assert isinstance(data["code"], str) and data["code"]
