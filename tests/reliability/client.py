"""A blocking contest-API client for the fault tests: one participant, their token, and
every answer the server acknowledged (the ground truth the database is checked against)."""

import random

from .harness import http_json


class Participant:
    def __init__(self, base, contest, entry):
        self.base = base
        self.contest = contest
        self.user_id = entry["user_id"]
        self.token = entry["token"]
        self.phone = entry["phone"]
        self.attempt = None
        self.acknowledged = {}  # question id -> choices the server answered 200 for
        self.statuses = []

    def call(self, method, path, body=None, timeout=15):
        status, data, headers = http_json(method, self.base + path, self.token, body, timeout=timeout)
        self.statuses.append(status)
        return status, data, headers

    def start(self):
        status, data, _headers = self.call("POST", f"/api/v1/contests/{self.contest['slug']}/attempts/")
        if status in (200, 201):
            self.attempt = data
        return status, data

    def questions(self):
        return [question["id"] for question in self.attempt["questions"]]

    def choice_for(self, question_id, right):
        entry = self.contest["questions"][str(question_id)]
        return sorted(entry["correct"]) if right else [entry["wrong"][0]]

    def answer(self, question_id, right=True):
        choices = self.choice_for(question_id, right)
        status, data, headers = self.call(
            "PUT", f"/api/v1/attempts/{self.attempt['id']}/answers/{question_id}/", {"choices": choices}
        )
        if status == 200:
            self.acknowledged[question_id] = choices
        return status, data, headers

    def answer_many(self, question_ids, rng=None, right_share=0.7):
        rng = rng or random.Random(self.user_id)  # noqa: S311 — test data
        return [self.answer(qid, rng.random() < right_share)[0] for qid in question_ids]

    def fetch(self):
        return self.call("GET", f"/api/v1/attempts/{self.attempt['id']}/")

    def submit(self, prediction=100, timeout=15):
        return self.call(
            "POST", f"/api/v1/attempts/{self.attempt['id']}/submit/", {"prediction": prediction}, timeout=timeout
        )

    def expected_score(self):
        """The score the acknowledged answers earn (all-or-nothing per question)."""
        return sum(
            1
            for question_id, choices in self.acknowledged.items()
            if sorted(choices) == sorted(self.contest["questions"][str(question_id)]["correct"])
        )


def participants(stack, contest, count=None):
    entries = contest["participants"][:count] if count else contest["participants"]
    return [Participant(stack.base, contest, entry) for entry in entries]


def answers_by_attempt(snapshot):
    """{attempt id: {question id: choices}} as stored in the database."""
    stored = {}
    for row in snapshot["answers"]:
        stored.setdefault(row["attempt_id"], {})[row["question_id"]] = row["choices"]
    return stored


def api_boards(base, contest, limit=500):
    """The round and contest boards as the API serves them (Redis when it is up)."""
    slug = contest["slug"]
    round_ = http_json(
        "GET", f"{base}/api/v1/contests/{slug}/leaderboard/?round={contest['round_number']}&limit={limit}"
    )
    whole = http_json("GET", f"{base}/api/v1/contests/{slug}/leaderboard/?limit={limit}")
    assert round_[0] == 200 and whole[0] == 200, (round_[0], whole[0])
    return {
        "round": {"total": round_[1]["total"], "results": round_[1]["results"]},
        "contest": {"total": whole[1]["total"], "results": whole[1]["results"]},
    }


def redis_has_boards(stack, contest):
    """Whether Redis holds built round and contest boards for this contest (production prefix ``lb:``)."""
    redis = stack.redis.client(stack.redis_db)
    return bool(redis.exists(f"lb:r:{contest['round_id']}:meta")) and bool(
        redis.exists(f"lb:c:{contest['contest_id']}:meta")
    )
