"""The lesson body: one shared StreamBlock for every lesson page.

Knowledge checks keep their answers server-side: a check is identified by
(lesson page id, block id) and its choices by their index in the block's
``choices`` list; the block's template renders a form posting ``choices=<index>``
to ``courses:check`` and never says which choice is right.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul", "document-link"]
INLINE_FEATURES = ["bold", "italic", "link"]


class CheckKind:
    SINGLE = "single"
    MULTIPLE = "multiple"
    CHOICES = [(SINGLE, _("One answer")), (MULTIPLE, _("Several answers"))]


class CalloutTone:
    NOTE = "note"
    WARNING = "warning"
    LEGAL = "legal"
    CHOICES = [(NOTE, _("Note")), (WARNING, _("Warning")), (LEGAL, _("Legal quote"))]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        form_classname = "title"
        template = "courses/blocks/heading_block.html"
        label = _("Heading")
        description = _("A section heading inside the lesson.")
        preview_value = "Quy trình tiếp nhận hồ sơ tại bộ phận một cửa"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "courses/blocks/paragraph_block.html"
        label = _("Text")
        description = _("Formatted text: paragraphs, lists, links.")
        preview_value = (
            "<p>Bộ phận <b>một cửa</b> tiếp nhận hồ sơ, hướng dẫn và trả kết quả giải quyết thủ tục hành chính.</p>"
        )


class LessonImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("caption"))

    class Meta:
        icon = "image"
        template = "courses/blocks/image_block.html"
        label = _("Image")
        description = _("An image with an optional caption; the alt text comes from the image.")
        preview_value = {"image": None, "caption": "Sơ đồ bộ phận một cửa cấp xã"}

    def get_preview_value(self):
        from wagtail.images import get_image_model

        return {"image": get_image_model().objects.order_by("pk").first(), "caption": "Sơ đồ bộ phận một cửa cấp xã"}


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("video URL"), help_text=_("A YouTube or Vimeo link."))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("caption"))
    transcript = blocks.TextBlock(required=False, label=_("transcript"))

    class Meta:
        icon = "media"
        template = "courses/blocks/video_block.html"
        label = _("Video")
        description = _("A video from YouTube or another provider, with an optional transcript.")
        preview_value = {
            "video": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "caption": "Hướng dẫn nộp hồ sơ trực tuyến",
            "transcript": "",
        }


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    description = blocks.CharBlock(required=False, max_length=250, label=_("description"))

    class Meta:
        icon = "doc-full"
        template = "courses/blocks/document_block.html"
        label = _("Document")
        description = _("A downloadable file: a form, a template, a slide deck.")
        preview_value = {"document": None, "description": "Mẫu phiếu tiếp nhận và hẹn trả kết quả"}

    def get_preview_value(self):
        from wagtail.documents import get_document_model

        return {
            "document": get_document_model().objects.order_by("pk").first(),
            "description": "Mẫu phiếu tiếp nhận và hẹn trả kết quả",
        }


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(choices=CalloutTone.CHOICES, default=CalloutTone.NOTE, label=_("kind"))
    text = blocks.RichTextBlock(features=INLINE_FEATURES, label=_("text"))
    legal_document = SnippetChooserBlock(
        "elearning.LegalDocument",
        required=False,
        label=_("legal document"),
        help_text=_("For a legal quote: the document quoted."),
    )
    article = blocks.CharBlock(
        required=False, max_length=100, label=_("article"), help_text=_("e.g. Article 5, clause 2")
    )

    class Meta:
        icon = "info-circle"
        template = "courses/blocks/callout_block.html"
        label = _("Callout")
        description = _("A highlighted note, a warning, or a quote from a legal document.")
        preview_value = {
            "tone": CalloutTone.NOTE,
            "text": "<p>Hồ sơ nộp trực tuyến được tiếp nhận 24/7.</p>",
            "legal_document": None,
            "article": "",
        }

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if value.get("tone") != CalloutTone.LEGAL and value.get("legal_document"):
            errors["legal_document"] = ValidationError(_("Only a legal quote cites a legal document."))
        if value.get("article") and not value.get("legal_document"):
            errors["article"] = ValidationError(_("Choose the legal document this article belongs to."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("step"))
    text = blocks.RichTextBlock(features=INLINE_FEATURES, required=False, label=_("details"))


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=200, label=_("title"))
    steps = blocks.ListBlock(StepBlock(), min_num=1, label=_("steps"))

    class Meta:
        icon = "list-ol"
        template = "courses/blocks/steps_block.html"
        label = _("Numbered steps")
        description = _("A procedure or a task, one numbered step after another.")
        preview_value = {
            "title": "Các bước tiếp nhận hồ sơ",
            "steps": [
                {"title": "Kiểm tra tính đầy đủ của hồ sơ", "text": "<p>Đối chiếu với danh mục giấy tờ.</p>"},
                {"title": "Lập phiếu tiếp nhận và hẹn trả kết quả", "text": ""},
                {"title": "Chuyển hồ sơ đến cơ quan giải quyết", "text": ""},
            ],
        }


class ProcedureCardBlock(blocks.StructBlock):
    procedure = SnippetChooserBlock("courses.Procedure", label=_("procedure"))
    note = blocks.CharBlock(required=False, max_length=250, label=_("note"))

    class Meta:
        icon = "clipboard-list"
        template = "courses/blocks/procedure_card_block.html"
        label = _("Procedure card")
        description = _("The key facts of an administrative procedure from the catalogue.")
        preview_value = {"procedure": None, "note": ""}

    def get_preview_value(self):
        from courses.models import Procedure

        return {"procedure": Procedure.objects.order_by("pk").first(), "note": ""}


class CheckChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500, label=_("answer"))
    correct = blocks.BooleanBlock(required=False, label=_("correct"))


class KnowledgeCheckBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("question"))
    kind = blocks.ChoiceBlock(choices=CheckKind.CHOICES, default=CheckKind.SINGLE, label=_("kind"))
    choices = blocks.ListBlock(CheckChoiceBlock(), min_num=2, label=_("answers"))
    explanation = blocks.RichTextBlock(
        features=INLINE_FEATURES,
        required=False,
        label=_("explanation"),
        help_text=_("Shown once the learner has answered."),
    )

    class Meta:
        icon = "help"
        template = "courses/blocks/knowledge_check_block.html"
        label = _("Knowledge check")
        description = _("A question the learner answers inside the lesson; graded on the server.")
        preview_value = {
            "question": "Thời gian tiếp nhận hồ sơ trực tuyến là khi nào?",
            "kind": CheckKind.SINGLE,
            "choices": [
                {"text": "Chỉ trong giờ hành chính", "correct": False},
                {"text": "24 giờ/ngày, 7 ngày/tuần", "correct": True},
                {"text": "Chỉ ngày thứ Bảy", "correct": False},
            ],
            "explanation": "<p>Dịch vụ công trực tuyến tiếp nhận hồ sơ mọi lúc.</p>",
        }

    def get_context(self, value, parent_context=None):
        """Adds ``block_id``, ``lesson_id`` and the learner's ``result`` (from ``check_results``
        in the page context, ``{block_id: {"correct": bool, ...}}``, when the progress feature gives it)."""
        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        block_id = parent_context.get("id")
        page = parent_context.get("page")
        results = parent_context.get("check_results") or {}
        context.update(
            block_id=block_id,
            lesson_id=getattr(page, "pk", None),
            result=results.get(str(block_id)) if block_id else None,
        )
        return context

    def clean(self, value):
        value = super().clean(value)
        choices = list(value.get("choices") or [])
        correct = sum(1 for choice in choices if choice.get("correct"))
        errors = []
        if len(choices) < 2:
            errors.append(ValidationError(_("A knowledge check needs at least two answers.")))
        if correct < 1:
            errors.append(ValidationError(_("Mark at least one answer as correct.")))
        elif value.get("kind") == CheckKind.SINGLE and correct > 1:
            errors.append(ValidationError(_("A one-answer question has exactly one correct answer.")))
        if errors:
            raise blocks.StructBlockValidationError(non_block_errors=errors)
        return value


class LessonStreamBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    image = LessonImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    steps = StepsBlock()
    procedure = ProcedureCardBlock()
    check = KnowledgeCheckBlock()
