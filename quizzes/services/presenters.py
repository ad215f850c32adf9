"""What a participant may see of an attempt — never which choice is correct
before the attempt is finished and the review policy allows it."""

from quizzes.models import Answer, Choice, Question
from quizzes.services import clock
from quizzes.services.errors import ReviewNotAvailable


def _questions(attempt):
    ids = attempt.question_ids
    texts = dict(Question.objects.filter(pk__in=ids).values_list("pk", "text"))
    choice_texts = dict(Choice.objects.filter(question_id__in=ids).values_list("pk", "text"))
    return [
        {
            "id": item["q"],
            "text": texts.get(item["q"], ""),
            "kind": item["k"],
            "choices": [{"id": cid, "text": choice_texts.get(cid, "")} for cid in item["c"]],
        }
        for item in attempt.draw
    ]


def saved_answers(attempt):
    return {
        qid: choices for qid, choices in Answer.objects.filter(attempt=attempt).values_list("question_id", "choice_ids")
    }


def attempt_payload(attempt, moment=None):
    moment = moment or clock.now()
    return {
        "id": attempt.pk,
        "contest": attempt.contest.slug,
        "round": attempt.round.number,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": 0 if attempt.is_finished else clock.seconds_left(attempt.deadline, moment),
        "questions": _questions(attempt),
        "answers": {str(qid): choices for qid, choices in saved_answers(attempt).items()},
        "score": attempt.score,
        "max_score": attempt.max_score,
        "duration_seconds": attempt.duration_seconds,
        "prediction": attempt.prediction,
        "asks_prediction": attempt.contest.asks_prediction,
        "prediction_question": attempt.contest.prediction_question or None,
    }


def review_allowed(attempt, moment=None):
    if not attempt.is_finished:
        return False
    policy = attempt.contest.review
    if policy == attempt.contest.ReviewPolicy.AFTER_SUBMIT:
        return True
    if policy == attempt.contest.ReviewPolicy.AFTER_ROUND:
        return attempt.round.is_closed(moment)
    return False


def review_payload(attempt, moment=None):
    if not review_allowed(attempt, moment):
        raise ReviewNotAvailable()
    ids = attempt.question_ids
    questions = {q.pk: q for q in Question.objects.filter(pk__in=ids).prefetch_related("choices")}
    answers = saved_answers(attempt)
    result = []
    for item in attempt.draw:
        question = questions.get(item["q"])
        if question is None:
            continue
        choices = {choice.pk: choice for choice in question.choices.all()}
        chosen = answers.get(item["q"], [])
        correct = [cid for cid in item["c"] if cid in choices and choices[cid].correct]
        result.append(
            {
                "id": question.pk,
                "text": question.text,
                "kind": item["k"],
                "choices": [{"id": cid, "text": choices[cid].text} for cid in item["c"] if cid in choices],
                "chosen": chosen,
                "correct_choices": correct,
                "is_correct": bool(chosen) and set(chosen) == set(correct),
                "explanation": question.explanation,
            }
        )
    return {"id": attempt.pk, "score": attempt.score, "max_score": attempt.max_score, "questions": result}
