"""Demo training content for ``seed_demo`` (called by ``elearning.seed``): the legal documents
the lessons cite, the procedure catalogue, the course catalogue with three courses written
for this district (``courses/demo_content.py``), the review workflow, the demo trainer's
course section, and demo learners part-way through the courses — some finished, with
certificates — so the progress reports have something to show. Learners progress through
the real services (enrol, answer checks, mark lessons done).

Idempotent: everything is found by a stable key (document number, procedure code, page
slug, username) and created only when missing; what exists is left as it is, so a second
run, or a run after an editor changed the content, changes nothing.
"""

import json
import random
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from courses import demo_content as content
from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage, Procedure
from courses.services import progress as progress_service
from courses.services.checks import answer_check
from courses.services.trainers import ensure_review_workflow, grant_course_section
from elearning.models import HomePage, LegalDocument, Profile, Unit

DEMO_TRAINER = "0912000002"
DEMO_LEARNER = "0912000001"
LEARNER_PHONE_PREFIX = "0966"
DEMO_LEARNERS = 36
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Ma", "La", "Triệu"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu", "Thị Thu", "Thị Hồng"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hạnh", "Hoà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Ngân"]
GIVEN += ["Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến", "Khánh", "Duyên"]

# Share of the demo learners enrolled in each course, and of those, how far they get:
# (share finishing with a high first-try accuracy, share stopping part-way).
PLANS = {
    content.MOT_CUA: (0.75, 0.45, 0.35),
    content.DICH_VU_CONG: (0.5, 0.35, 0.4),
    content.ISO: (0.35, 0.4, 0.3),
}


class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, label, count=1):
        self.counts[label] = self.counts.get(label, 0) + count

    def summary(self):
        parts = [f"{label} +{count}" for label, count in self.counts.items() if count]
        return ", ".join(parts) or "nothing new"


# --- Legal documents and procedures -----------------------------------------------------------


def seed_legal_documents(tally):
    documents = {}
    for number, kind, title, issuer, issued_on, effective_from, effective_to, _replaced in content.LEGAL_DOCUMENTS:
        documents[number], created = LegalDocument.objects.get_or_create(
            number=number,
            defaults={
                "kind": kind,
                "title": title,
                "issuer": issuer,
                "issued_on": issued_on,
                "effective_from": effective_from,
                "effective_to": effective_to,
            },
        )
        tally.add("legal documents", created)
    # Replacements, filled in only where nobody has set them.
    for number, *_fields, effective_to, replaced_by in content.LEGAL_DOCUMENTS:
        document = documents[number]
        changed = []
        if replaced_by and document.replaced_by_id is None:
            document.replaced_by = documents[replaced_by]
            changed.append("replaced_by")
        if effective_to and document.effective_to is None:
            document.effective_to = effective_to
            changed.append("effective_to")
        if changed:
            document.save(update_fields=changed)
    return documents


def _html_list(items):
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def seed_procedures(documents, tally):
    procedures = {}
    for item in content.PROCEDURES:
        procedure = Procedure.objects.filter(code=item["code"]).first()
        if procedure is None:
            procedure = Procedure(
                code=item["code"],
                name=item["name"],
                field=item["field"],
                level=item["level"],
                mechanism=item["mechanism"],
                processing_days=item["processing_days"],
                fee=item["fee"],
                required_documents=_html_list(item["documents"]),
                online_level=item["online_level"],
                postal_return=item["postal_return"],
            )
            procedure.full_clean(exclude=["legal_basis", "tags"])
            procedure.save()
            procedure.legal_basis.set([documents[number] for number in item["legal_basis"]])
            procedure.tags.add(*item["tags"])
            procedure.save()
            tally.add("procedures")
        procedures[item["code"]] = procedure
    return procedures


# --- Pages ----------------------------------------------------------------------------------------


def _resolve(value, documents, procedures):
    """Replace the placeholders of a block value by ids."""
    if isinstance(value, content.Ref):
        return documents[value.key].pk if value.kind == "legal" else procedures[value.key].pk
    if isinstance(value, dict):
        return {key: _resolve(item, documents, procedures) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, documents, procedures) for item in value]
    return value


def _list_items(items):
    return [{"type": "item", "value": item, "id": str(uuid.uuid4())} for item in items]


def stream_data(blocks, documents, procedures):
    """The raw StreamField JSON of a lesson body, with block ids."""
    data = []
    for block in blocks:
        value = _resolve(block["value"], documents, procedures)
        if block["type"] == "check":
            value = {**value, "choices": _list_items(value["choices"])}
        elif block["type"] == "steps":
            value = {**value, "steps": _list_items(value["steps"])}
        data.append({"type": block["type"], "value": value, "id": str(uuid.uuid4())})
    return json.dumps(data)


def _publish(page):
    page.save_revision().publish()


def seed_index(tally):
    index = CourseIndexPage.objects.order_by("path").first()
    if index is not None:
        return index
    home = HomePage.objects.order_by("path").first()
    parent = home or Page.get_first_root_node()
    index = parent.add_child(instance=CourseIndexPage(title=content.INDEX["title"], slug=content.INDEX["slug"]))
    index.intro = content.INDEX["intro"]
    _publish(index)
    tally.add("course catalogue")
    return index


def seed_course(index, spec, documents, procedures, tally):
    course = CoursePage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if course is None:
        course = CoursePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            level=spec["level"],
            estimated_minutes=spec["estimated_minutes"],
            pass_mark=spec["pass_mark"],
            learning_objectives="\n".join(spec["objectives"]),
            description=spec["description"],
        )
        index.add_child(instance=course)
        course.tags.add(*spec["tags"])
        course.legal_documents = [documents[number] for number in spec["legal"]]
        _publish(course)
        tally.add("courses")
    existing = set(LessonPage.objects.child_of(course).values_list("slug", flat=True))
    for lesson_spec in spec["lessons"]:
        if lesson_spec["slug"] in existing:
            continue
        lesson = LessonPage(
            title=lesson_spec["title"],
            slug=lesson_spec["slug"],
            summary=lesson_spec["summary"],
            estimated_minutes=lesson_spec["estimated_minutes"],
            body=stream_data(lesson_spec["body"], documents, procedures),
        )
        # Before saving: LessonPage.save() adds the documents its legal quotes cite.
        lesson.legal_documents = [documents[number] for number in lesson_spec["legal"]]
        course.add_child(instance=lesson)
        _publish(lesson)
        tally.add("lessons")
    return CoursePage.objects.get(pk=course.pk)


# --- Trainers and review ------------------------------------------------------------------------------


def seed_permissions(index, courses, tally):
    ensure_review_workflow(index)
    course = courses.get(content.TRAINER_COURSE)
    if course is None:
        return
    usernames = [DEMO_TRAINER] if get_user_model().objects.filter(username=DEMO_TRAINER).exists() else []
    _group, added = grant_course_section(course, content.TRAINER_GROUP, usernames)
    tally.add("trainer section permissions", added)


# --- Demo learners --------------------------------------------------------------------------------------


def demo_learners(rng, tally):
    User = get_user_model()
    units = list(Unit.objects.filter(headcount__gt=0).order_by("code"))
    learners = []
    for index in range(1, DEMO_LEARNERS + 1):
        phone = f"{LEARNER_PHONE_PREFIX}{index:06d}"
        user = User.objects.filter(username=phone).first()
        if user is None:
            user = User(username=phone)
            user.set_unusable_password()  # data for the reports; nobody logs in as them
            user.save()
            Profile.objects.create(
                user=user,
                full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                unit=units[index % len(units)] if units else None,
                kind=Profile.Kind.OFFICIAL,
                position="Công chức cấp xã",
                phone=phone,
                birth_year=1970 + index % 30,
            )
            tally.add("demo learners")
        learners.append(user)
    return learners


def _wrong_answer(check, rng):
    correct = [index for index, choice in enumerate(check["choices"]) if choice["correct"]]
    wrong = [index for index in range(len(check["choices"])) if index not in correct]
    if check["kind"] == "multiple":
        return [str(index) for index in correct[:-1] + wrong[:1]]
    return [str(rng.choice(wrong))]


def study(user, course, lessons, rng, *, lesson_count, accuracy):
    """Work through the first ``lesson_count`` lessons as a learner would: answer each check
    (right at the first try with probability ``accuracy``, else wrong then right), or mark
    the lesson done."""
    for lesson in lessons[:lesson_count]:
        checks = lesson.knowledge_checks()
        if not checks:
            progress_service.complete_lesson(user, lesson)
            continue
        for block_id, check in checks.items():
            if rng.random() >= accuracy:
                answer_check(user, lesson, block_id, _wrong_answer(check, rng))
            correct = [str(index) for index, choice in enumerate(check["choices"]) if choice["correct"]]
            answer_check(user, lesson, block_id, correct)


def enrol_at(user, course, when):
    enrolment, created = Enrolment.objects.get_or_create(user=user, course=course, defaults={"enrolled_at": when})
    return enrolment, created


def seed_progress(courses, rng, tally):
    learners = demo_learners(rng, tally)
    now = timezone.now()
    for slug, (share, finishing, stopping) in PLANS.items():
        course = courses.get(slug)
        if course is None:
            continue
        lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
        for user in learners:
            # One generator per (course, learner): the same choices on every run, whatever exists.
            pair = random.Random(f"{slug}/{user.username}")
            if pair.random() >= share:
                continue
            enrolled_at = now - timedelta(days=pair.randint(1, 60), hours=pair.randint(0, 8))
            _enrolment, created = enrol_at(user, course, enrolled_at)
            if not created:
                continue
            tally.add("demo enrolments")
            roll = pair.random()
            if roll < finishing:
                study(user, course, lessons, pair, lesson_count=len(lessons), accuracy=pair.uniform(0.85, 1.0))
            elif roll < finishing + stopping:
                count = pair.randint(1, len(lessons) - 1)
                study(user, course, lessons, pair, lesson_count=count, accuracy=pair.uniform(0.5, 0.9))
            # The rest enrolled and have not started.
    # The demo learner account: ISO finished with a certificate, the one-stop course half done.
    demo = get_user_model().objects.filter(username=DEMO_LEARNER).first()
    if demo is not None:
        for slug, lesson_share in ((content.ISO, 1.0), (content.MOT_CUA, 0.4)):
            course = courses.get(slug)
            if course is None:
                continue
            _enrolment, created = enrol_at(demo, course, now - timedelta(days=20))
            if created:
                lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
                study(demo, course, lessons, rng, lesson_count=round(len(lessons) * lesson_share), accuracy=1.0)
                tally.add("demo enrolments")


def run(stdout):
    rng = random.Random(2018)
    tally = Tally()
    with transaction.atomic():
        documents = seed_legal_documents(tally)
        procedures = seed_procedures(documents, tally)
        index = seed_index(tally)
        courses = {spec["slug"]: seed_course(index, spec, documents, procedures, tally) for spec in content.COURSES}
        seed_permissions(index, courses, tally)
        seed_progress(courses, rng, tally)
    certificates = Enrolment.objects.filter(course__in=courses.values(), completed_at__isnull=False).count()
    stdout.write(
        f"Demo courses: {tally.summary()}. {len(courses)} courses, {certificates} completed with a certificate; "
        f"the demo trainer ({DEMO_TRAINER}) edits the course section {content.TRAINER_COURSE!r} "
        f"(group {content.TRAINER_GROUP!r}); lessons go through the review workflow."
    )
