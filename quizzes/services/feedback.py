"""Feedback into training: after a round closes, the questions each unit missed most,
each linked to what teaches it.

"Missed" is the share of wrong answers among the unit's participants whose best attempt
of the round drew the question (no answer counts as wrong), read from the stored answers.
A question is linked to the live lessons, procedures and courses that share one of its
tags or cite its legal document — lessons first, then procedures, then courses — and is
shown without a link when nothing teaches it yet.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, CoursePageTag, LessonPage, LessonPageTag, Procedure, ProcedureTag
from elearning.models import Unit
from quizzes.models import Question, QuestionTag
from quizzes.services.analytics import cached_round_results
from quizzes.services.results import RoundNotClosed

MISSED_PER_UNIT = 5
LINKS_PER_QUESTION = 3

KIND_LABELS = {"lesson": _("Lesson"), "procedure": _("Procedure"), "course": _("Course")}


@dataclass
class Link:
    kind: str  # lesson | procedure | course
    title: str
    url: str

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass
class MissedQuestion:
    question_id: int
    text: str
    topic: str
    seen: int
    wrong: int
    links: list = field(default_factory=list)

    @property
    def share_wrong(self):
        return self.wrong / self.seen if self.seen else 0.0


@dataclass
class UnitFeedback:
    unit_id: int
    code: str
    name: str
    participants: int
    questions: list = field(default_factory=list)


def unit_feedback(round_, *, results=None, per_unit=MISSED_PER_UNIT, request=None, moment=None):
    """For each unit with participants in the closed ``round_``, its most missed questions
    (share wrong desc, then wrong answers desc), units by name."""
    if not round_.is_closed(moment):
        raise RoundNotClosed()
    results = results or cached_round_results(round_)
    counts = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # {unit: {question: [seen, wrong]}}
    participants = defaultdict(int)
    for participant in results.participants:
        if participant.unit_id is None:
            continue
        participants[participant.unit_id] += 1
        for qid, right in participant.correct.items():
            seen_wrong = counts[participant.unit_id][qid]
            seen_wrong[0] += 1
            seen_wrong[1] += not right
    picked = {}
    for unit_id, questions in counts.items():
        missed = [(qid, seen, wrong) for qid, (seen, wrong) in questions.items() if wrong]
        missed.sort(key=lambda item: (-item[2] / item[1], -item[2], item[0]))
        picked[unit_id] = missed[:per_unit]
    question_ids = {qid for items in picked.values() for qid, _seen, _wrong in items}
    texts = {
        pk: (text, topic)
        for pk, text, topic in Question.objects.filter(pk__in=question_ids).values_list("pk", "text", "topic")
    }
    links = teaching_links(question_ids, request=request)
    units = Unit.objects.filter(pk__in=list(participants)).order_by("name", "code").values_list("pk", "code", "name")
    feedback = []
    for unit_id, code, name in units:
        entry = UnitFeedback(unit_id, code, name, participants[unit_id])
        for qid, seen, wrong in picked.get(unit_id, []):
            text, topic = texts.get(qid, ("", ""))
            entry.questions.append(MissedQuestion(qid, text, topic, seen, wrong, links.get(qid, [])))
        feedback.append(entry)
    return feedback


def _page_url(page, request):
    return page.get_url(request) or ""


def teaching_links(question_ids, *, request=None, limit=LINKS_PER_QUESTION):
    """``{question_id: [Link]}``: what teaches each question, best match first."""
    question_ids = set(question_ids)
    if not question_ids:
        return {}
    tags = defaultdict(set)
    for qid, tag_id in QuestionTag.objects.filter(content_object_id__in=question_ids).values_list(
        "content_object_id", "tag_id"
    ):
        tags[qid].add(tag_id)
    documents = dict(
        Question.objects.filter(pk__in=question_ids, legal_document__isnull=False).values_list(
            "pk", "legal_document_id"
        )
    )
    tag_ids = {tag for ids in tags.values() for tag in ids}
    document_ids = set(documents.values())

    def by_tag(through):
        found = defaultdict(set)
        if tag_ids:
            for tag_id, object_id in through.objects.filter(tag_id__in=tag_ids).values_list(
                "tag_id", "content_object_id"
            ):
                found[tag_id].add(object_id)
        return found

    def by_document(through, object_field):
        found = defaultdict(set)
        if document_ids:
            for document_id, object_id in through.objects.filter(legaldocument_id__in=document_ids).values_list(
                "legaldocument_id", object_field
            ):
                found[document_id].add(object_id)
        return found

    lesson_tags, course_tags, procedure_tags = by_tag(LessonPageTag), by_tag(CoursePageTag), by_tag(ProcedureTag)
    lesson_docs = by_document(LessonPage.legal_documents.through, "lessonpage_id")
    course_docs = by_document(CoursePage.legal_documents.through, "coursepage_id")
    procedure_docs = by_document(Procedure.legal_basis.through, "procedure_id")

    def ids(mapping):
        return {pk for pks in mapping.values() for pk in pks}

    lessons = {
        page.pk: page
        for page in LessonPage.objects.live()
        .public()
        .filter(pk__in=ids(lesson_tags) | ids(lesson_docs))
        .order_by("path")
    }
    courses = {
        page.pk: page
        for page in CoursePage.objects.live()
        .public()
        .filter(pk__in=ids(course_tags) | ids(course_docs))
        .order_by("path")
    }
    procedures = {
        procedure.pk: procedure
        for procedure in Procedure.objects.filter(pk__in=ids(procedure_tags) | ids(procedure_docs)).only(
            "pk", "code", "name"
        )
    }

    def tagged(mapping, objects, qid):
        """Objects sharing a tag with the question, most shared tags first, then in order."""
        shared = defaultdict(int)
        for tag_id in tags.get(qid, ()):
            for pk in mapping.get(tag_id, ()):
                if pk in objects:
                    shared[pk] += 1
        order = list(objects)
        return sorted(shared, key=lambda pk: (-shared[pk], order.index(pk)))

    def citing(mapping, objects, qid):
        document = documents.get(qid)
        order = list(objects)
        return sorted((pk for pk in mapping.get(document, ()) if pk in objects), key=order.index)

    def lesson_link(pk):
        return Link("lesson", lessons[pk].title, _page_url(lessons[pk], request))

    def course_link(pk):
        return Link("course", courses[pk].title, _page_url(courses[pk], request))

    def procedure_link(pk):
        procedure = procedures[pk]
        url = reverse("courses:procedure_detail", kwargs={"code": procedure.code})
        return Link("procedure", f"{procedure.code} — {procedure.name}", url)

    links = {}
    for qid in question_ids:
        candidates = [
            *(("lesson", pk) for pk in tagged(lesson_tags, lessons, qid)),
            *(("procedure", pk) for pk in tagged(procedure_tags, procedures, qid)),
            *(("lesson", pk) for pk in citing(lesson_docs, lessons, qid)),
            *(("procedure", pk) for pk in citing(procedure_docs, procedures, qid)),
            *(("course", pk) for pk in tagged(course_tags, courses, qid)),
            *(("course", pk) for pk in citing(course_docs, courses, qid)),
        ]
        seen, chosen = set(), []
        for candidate in candidates:
            if candidate in seen:
                continue
            seen.add(candidate)
            kind, pk = candidate
            chosen.append({"lesson": lesson_link, "procedure": procedure_link, "course": course_link}[kind](pk))
            if len(chosen) >= limit:
                break
        links[qid] = chosen
    return links
