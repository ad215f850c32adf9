"""The Wagtail admin speaks Vietnamese on every screen trainers, reviewers and organizers use.

Wagtail's own Vietnamese catalog covers a fraction of its strings; elearning/locale_admin
completes it. This walks the admin as an administrator whose Wagtail profile leaves the
language at the site default (Vietnamese), and as one who chose it explicitly, and fails
on common English interface words left in the visible text (attributes, scripts and styles
are not read; the sidebar's menu labels, drawn from JSON by script, are).
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from wagtail.documents.models import Document
from wagtail.models import Workflow
from wagtail.users.models import UserProfile

from courses.models import LessonPage
from tests.factories.courses import ProcedureFactory, make_course
from tests.factories.elearning import LegalDocumentFactory, UnitFactory
from tests.factories.news import CustomImageFactory, NewsIndexPageFactory, NewsPageFactory
from tests.factories.quizzes import make_contest

pytestmark = pytest.mark.django_db

# Interface words an editor would read as "this screen is in English".
ENGLISH_WORDS = (
    "Save",
    "Delete",
    "Edit",
    "Add",
    "Search",
    "Filter",
    "Filters",
    "Cancel",
    "Publish",
    "Unpublish",
    "Submit",
    "Pages",
    "Page",
    "Images",
    "Image",
    "Documents",
    "Document",
    "Snippets",
    "Reports",
    "Settings",
    "Dashboard",
    "Workflow",
    "Workflows",
    "Status",
    "Title",
    "Actions",
    "More",
    "Preview",
    "History",
    "Upload",
    "Choose",
    "Sort",
    "Live",
    "Draft",
    "Updated",
    "Type",
    "Help",
    "Account",
    "Log out",
    "Users",
    "Groups",
    "Collections",
    "Redirects",
    "Sites",
    "Tasks",
    "Comments",
    "Previous",
    "Next",
    "Clear",
    "Apply",
    "Select",
    "Create",
    "Yes",
    "No",
)
WORD_PATTERN = re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(word) for word in ENGLISH_WORDS) + r")(?![\w/.-])")
# Words that are right where they stand: the bank import lists the English column headers it
# accepts; Wagtail's workflow form gives its (screen-reader-only) page field no translatable label.
ALLOWED = {"/admin/contest/banks/import/": {"Type"}, "/admin/workflows/edit/": {"Page"}}
SIDEBAR_PROPS = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S)


class VisibleText(HTMLParser):
    """Text nodes outside <script>, <style> and <title>, one string per node."""

    SKIP = {"script", "style", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(" ".join(data.split()))


def sidebar_labels(html):
    match = SIDEBAR_PROPS.search(html)
    if not match:
        return []
    labels = []

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"label", "title"} and isinstance(value, str):
                    labels.append(value)
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(json.loads(match.group(1)))
    return labels


def english_on(html):
    parser = VisibleText()
    parser.feed(html)
    found = set()
    for text in parser.parts + sidebar_labels(html):
        found.update(WORD_PATTERN.findall(text))
    return found


@pytest.fixture
def content():
    course = make_course(lessons=2, checks=1)
    lesson = LessonPage.objects.child_of(course).first()
    news_index = NewsIndexPageFactory()
    NewsPageFactory(parent=news_index)
    contest = make_contest(questions=3)
    image = CustomImageFactory()
    document = Document.objects.create(title="Quy trình một cửa", file="documents/quy-trinh.pdf")
    procedure = ProcedureFactory()
    legal = LegalDocumentFactory()
    unit = UnitFactory()
    return {
        "course": course,
        "lesson": lesson,
        "contest": contest,
        "image": image,
        "document": document,
        "procedure": procedure,
        "legal": legal,
        "unit": unit,
        "workflow": Workflow.objects.first(),
    }


def screens(content):
    lesson, course, contest = content["lesson"], content["course"], content["contest"]
    screens = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{course.id}/",
        f"/admin/pages/{lesson.id}/edit/",
        f"/admin/pages/{course.id}/edit/",
        f"/admin/pages/add/courses/lessonpage/{course.id}/",
        f"/admin/pages/{lesson.id}/history/",
        f"/admin/pages/{lesson.id}/delete/",
        f"/admin/pages/{lesson.id}/move/",
        f"/admin/pages/{lesson.id}/copy/",
        "/admin/pages/search/?q=khoa",
        "/admin/images/",
        f"/admin/images/{content['image'].id}/",
        "/admin/images/multiple/add/",
        "/admin/documents/",
        f"/admin/documents/edit/{content['document'].id}/",
        "/admin/documents/multiple/add/",
        "/admin/snippets/courses/procedure/",
        f"/admin/snippets/courses/procedure/edit/{content['procedure'].pk}/",
        "/admin/snippets/courses/procedure/add/",
        "/admin/snippets/elearning/legaldocument/",
        f"/admin/snippets/elearning/legaldocument/edit/{content['legal'].pk}/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/reports/locked/",
        "/admin/reports/site-history/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/reports/aging-pages/",
        "/admin/reports/page-types-usage/",
        "/admin/reports/outdated-citations/",
        "/admin/reports/course-progress/",
        f"/admin/reports/course-progress/{course.id}/",
        "/admin/contest/banks/",
        "/admin/contest/banks/import/",
        f"/admin/contest/banks/edit/{contest.bank_id}/",
        "/admin/contest/questions/",
        "/admin/contest/results/",
        f"/admin/contest/results/{contest.id}/",
        f"/admin/pages/{contest.id}/edit/",
        "/admin/people/units/",
        "/admin/people/profiles/",
        "/admin/people/officials-import/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/collections/",
        "/admin/account/",
    ]
    if content["workflow"]:
        screens.append(f"/admin/workflows/edit/{content['workflow'].pk}/")
    return screens


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("quantri", "quantri@example.invalid", "Mat-khau-2018")
    client.force_login(user)
    return client, user


def set_language(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def english_by_screen(client, urls):
    english = {}
    for url in urls:
        # The browser asks for English: the admin still follows the site default / profile.
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        if response.status_code != 200:
            english[url] = f"answered {response.status_code}"
            continue
        words = english_on(response.content.decode())
        words -= next((allowed for prefix, allowed in ALLOWED.items() if url.startswith(prefix)), set())
        if words:
            english[url] = sorted(words)
    return english


def test_admin_screens_have_no_english_interface_words(admin_client, content):
    client, user = admin_client
    set_language(user, "")  # the profile's default: the site's LANGUAGE_CODE, Vietnamese
    english = english_by_screen(client, screens(content))
    assert not english, f"English left on admin screens: {english}"


def test_vietnamese_chosen_in_the_profile(admin_client, content):
    client, user = admin_client
    set_language(user, "vi")
    urls = ["/admin/", f"/admin/pages/{content['lesson'].id}/edit/", "/admin/reports/workflow/"]
    assert not english_by_screen(client, urls)


def test_the_check_finds_english(admin_client, content):
    """The walk can fail: with English chosen in the profile, the editor is full of these words."""
    client, user = admin_client
    set_language(user, "en")
    html = client.get(f"/admin/pages/{content['lesson'].id}/edit/").content.decode()
    assert "Save draft" in html
    assert {"Pages", "Reports", "Images"} <= english_on(html)
