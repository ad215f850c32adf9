"""The lesson body's blocks: each renders, validates its own rules, and knowledge checks
never reveal their answers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from courses.blocks import CalloutBlock, KnowledgeCheckBlock, LessonStreamBlock, StepsBlock
from tests.factories.courses import ProcedureFactory
from tests.factories.elearning import LegalDocumentFactory
from tests.factories.news import CustomImageFactory

pytestmark = pytest.mark.django_db

VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def cache_embed(url, html='<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>'):
    """An embed Wagtail has already fetched, so no test reaches the network."""
    return Embed.objects.create(url=url, max_width=None, html=html, type="video", hash=get_embed_hash(url))


@pytest.fixture
def content():
    """What the preview values choose: an image, a document, a procedure, a cached video embed."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    image = CustomImageFactory(title="Sơ đồ một cửa")
    document = get_document_model().objects.create(
        title="Mẫu phiếu tiếp nhận", file=ContentFile(b"%PDF-1.4 demo", name="phieu-tiep-nhan.pdf")
    )
    procedure = ProcedureFactory(name="Đăng ký khai sinh", legal_basis=[LegalDocumentFactory(number="123/2015/NĐ-CP")])
    cache_embed(VIDEO_URL)
    return {"image": image, "document": document, "procedure": procedure}


@pytest.mark.parametrize("name", list(LessonStreamBlock.base_blocks))
def test_every_block_has_what_editors_and_templates_need(name):
    block = LessonStreamBlock.base_blocks[name]
    assert block.meta.icon
    assert block.meta.template.startswith("courses/blocks/")
    assert block.meta.description
    assert block.get_preview_value() is not None


EXPECTED_IN_PREVIEW = {
    "paragraph": "một cửa",
    "heading": "Quy trình tiếp nhận hồ sơ",
    "image": "/media/images/",
    "video": "youtube-nocookie.com/embed/x",
    "document": "Mẫu phiếu tiếp nhận",
    "callout": "Hồ sơ nộp trực tuyến được tiếp nhận 24/7.",
    "steps": "Chuyển hồ sơ đến cơ quan giải quyết",
    "procedure": "Đăng ký khai sinh",
    "check": "Thời gian tiếp nhận hồ sơ trực tuyến là khi nào?",
}


@pytest.mark.parametrize("name", list(LessonStreamBlock.base_blocks))
def test_every_block_renders_its_preview_value(name, content):
    block = LessonStreamBlock.base_blocks[name]

    html = block.render(block.get_preview_value(), context={})

    assert EXPECTED_IN_PREVIEW[name] in html


def test_a_procedure_card_shows_the_key_facts_and_links_to_the_procedure(content):
    block = LessonStreamBlock.base_blocks["procedure"]

    html = block.render(block.to_python({"procedure": content["procedure"].pk, "note": "Chú ý hạn 60 ngày"}))

    assert f'href="/thu-tuc/{content["procedure"].code}/"' in html
    assert "123/2015/NĐ-CP" in html
    assert "Chú ý hạn 60 ngày" in html


def test_a_legal_quote_names_its_document_and_flags_a_replaced_one():
    new = LegalDocumentFactory(number="118/2025/NĐ-CP")
    old = LegalDocumentFactory(number="61/2018/NĐ-CP", effective_to="2025-06-30", replaced_by=new)
    block = CalloutBlock()

    html = block.render(
        block.to_python(
            {"tone": "legal", "text": "<p>Bộ phận một cửa…</p>", "legal_document": old.pk, "article": "Điều 5"}
        )
    )

    assert "<cite>61/2018/NĐ-CP</cite>" in html
    assert "Điều 5" in html
    assert "118/2025/NĐ-CP" in html
    assert "badge-warning" in html


# --- Knowledge checks ---------------------------------------------------------------


def render_check(choices, kind="single", block_id="b1"):
    block = KnowledgeCheckBlock()
    value = block.to_python(
        {
            "question": "Câu hỏi?",
            "kind": kind,
            "choices": [{"text": text, "correct": correct} for text, correct in choices],
            "explanation": "<p>Giải thích bí mật.</p>",
        }
    )
    return block.render(value, context={"id": block_id})


def choice_items(html):
    return re.findall(r"<li>(.*?)</li>", html, flags=re.S)


def test_a_knowledge_check_renders_no_correctness():
    html = render_check([("Sai một", False), ("Đúng", True), ("Sai hai", False)])

    assert "correct" not in html.lower()
    assert "Giải thích bí mật" not in html  # the explanation only comes after an answer
    # Right and wrong choices render identically but for their text and index.
    items = [
        item.replace(text, "TEXT").replace(f'value="{i}"', 'value="N"')
        for i, (item, text) in enumerate(zip(choice_items(html), ["Sai một", "Đúng", "Sai hai"], strict=True))
    ]
    assert len(items) == 3
    assert items[0] == items[1] == items[2]


def test_the_same_choices_render_the_same_whichever_is_correct():
    first = render_check([("A", True), ("B", False)])
    second = render_check([("A", False), ("B", True)])

    assert first == second


def test_a_knowledge_check_posts_choice_indexes():
    single = render_check([("A", True), ("B", False)])
    multiple = render_check([("A", True), ("B", True), ("C", False)], kind="multiple")

    assert re.findall(r'type="radio" name="choices" value="(\d)"', single) == ["0", "1"]
    assert re.findall(r'type="checkbox" name="choices" value="(\d)"', multiple) == ["0", "1", "2"]


def test_a_knowledge_check_shows_the_learners_last_result_and_the_explanation():
    block = KnowledgeCheckBlock()
    value = block.get_preview_value()

    answered = block.render(value, context={"id": "b1", "check_results": {"b1": {"correct": True}}})
    other = block.render(value, context={"id": "b1", "check_results": {"b2": {"correct": True}}})

    assert "badge-success" in answered
    assert "Dịch vụ công trực tuyến tiếp nhận hồ sơ mọi lúc." in answered
    assert "badge-success" not in other
    assert "Dịch vụ công trực tuyến tiếp nhận hồ sơ mọi lúc." not in other


def check_value(choices, kind="single"):
    block = KnowledgeCheckBlock()
    return block, block.to_python(
        {
            "question": "Câu hỏi?",
            "kind": kind,
            "choices": [{"text": t, "correct": c} for t, c in choices],
            "explanation": "",
        }
    )


@pytest.mark.parametrize(
    ("choices", "kind", "message"),
    [
        ([("A", True)], "single", "minimum number of items is 2"),
        ([("A", False), ("B", False)], "single", "at least one"),
        ([("A", True), ("B", True)], "single", "exactly one"),
    ],
)
def test_a_knowledge_check_needs_two_choices_and_a_right_one(choices, kind, message):
    block, value = check_value(choices, kind)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        block.clean(value)

    with translation.override("en"):
        assert message in str(error.value.as_json_data())


def test_a_valid_knowledge_check_passes():
    block, value = check_value([("A", True), ("B", True), ("C", False)], kind="multiple")

    assert block.clean(value)["kind"] == "multiple"


def test_only_a_legal_quote_cites_a_document():
    document = LegalDocumentFactory()
    block = CalloutBlock()

    with pytest.raises(ValidationError):
        block.clean(block.to_python({"tone": "note", "text": "<p>x</p>", "legal_document": document.pk, "article": ""}))
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"tone": "legal", "text": "<p>x</p>", "legal_document": None, "article": "Điều 5"}))
    assert block.clean(
        block.to_python({"tone": "legal", "text": "<p>x</p>", "legal_document": document.pk, "article": "Điều 5"})
    )


def test_steps_need_at_least_one_step():
    block = StepsBlock()

    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "Các bước", "steps": []}))
