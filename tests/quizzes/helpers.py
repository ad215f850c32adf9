"""Small helpers for contest tests: the right and wrong answers of an attempt."""

from quizzes.models import Choice


def correct_ids(question_id):
    return sorted(Choice.objects.filter(question_id=question_id, correct=True).values_list("pk", flat=True))


def wrong_ids(question_id):
    return [Choice.objects.filter(question_id=question_id, correct=False).values_list("pk", flat=True).first()]


def answer_all(attempt, right=None):
    """Answers for every question of ``attempt``: the first ``right`` correctly, the rest wrongly."""
    right = len(attempt.draw) if right is None else right
    return {
        item["q"]: correct_ids(item["q"]) if index < right else wrong_ids(item["q"])
        for index, item in enumerate(attempt.draw)
    }
