"""Drawing the questions of an attempt: N at random from the active questions of
the bank (quotas per topic where set), choice order shuffled, kept for the attempt."""

import secrets
from collections import defaultdict

from quizzes.models import Choice, Question, QuestionKind
from quizzes.services.errors import NotEnoughQuestions

_random = secrets.SystemRandom()


def draw_questions(contest, rng=_random):
    questions = list(Question.objects.active().filter(bank_id=contest.bank_id).values_list("id", "topic", "kind"))
    by_topic = defaultdict(list)
    for question in questions:
        by_topic[question[1]].append(question)

    chosen = []
    quotas = list(contest.topic_quotas.values_list("topic", "count"))
    for topic, count in quotas:
        pool = by_topic.get(topic, [])
        if len(pool) < count:
            raise NotEnoughQuestions()
        chosen.extend(rng.sample(pool, count))
    remaining = contest.questions_per_attempt - len(chosen)
    taken = {question[0] for question in chosen}
    quota_topics = {topic for topic, _count in quotas}
    # The rest comes from topics without a quota first, then from any question left.
    rest = [q for q in questions if q[0] not in taken and q[1] not in quota_topics]
    if len(rest) < remaining:
        rest = [q for q in questions if q[0] not in taken]
    if len(rest) < remaining:
        raise NotEnoughQuestions()
    chosen.extend(rng.sample(rest, remaining))
    rng.shuffle(chosen)

    choices = defaultdict(list)
    for question_id, choice_id in Choice.objects.filter(question_id__in=[q[0] for q in chosen]).values_list(
        "question_id", "id"
    ):
        choices[question_id].append(choice_id)
    draw = []
    for question_id, _topic, kind in chosen:
        order = list(choices[question_id])  # authoring order (sort_order)
        if kind != QuestionKind.TRUE_FALSE:  # "Đúng" before "Sai" reads naturally
            rng.shuffle(order)
        draw.append({"q": question_id, "k": kind, "c": order})
    return draw
