"""StreamField blocks for the core pages (home, news)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("note", _("Note")), ("warning", _("Warning"))], default="note", label=_("tone")
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=_("text"))

    class Meta:
        icon = "info-circle"
        template = "blocks/callout_block.html"
        label = _("Callout")
        description = _("A highlighted note or warning.")
        preview_value = {"tone": "note", "text": "<p>Hồ sơ nộp trực tuyến được tiếp nhận 24/7.</p>"}


class ArticleStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        template="blocks/heading_block.html",
        label=_("Heading"),
        description=_("A section heading."),
        preview_value="Một cửa liên thông là gì?",
    )
    paragraph = blocks.RichTextBlock(
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        label=_("Paragraph"),
        description=_("Formatted text."),
        preview_value="<p>Bộ phận một cửa tiếp nhận hồ sơ và trả kết quả cho người dân.</p>",
    )
    image = ImageBlock(
        icon="image",
        template="blocks/image_block.html",
        label=_("Image"),
        description=_("An image with alt text."),
    )
    embed = EmbedBlock(
        icon="media",
        template="blocks/embed_block.html",
        label=_("Video"),
        description=_("A video from YouTube or another provider."),
    )
    callout = CalloutBlock()
