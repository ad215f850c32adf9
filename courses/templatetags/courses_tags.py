from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(minutes):
    """``90`` → ``1 h 30 min`` (translated)."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(minutes)d minute", "%(minutes)d minutes", rest) % {"minutes": rest}
    if not rest:
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


@register.simple_tag(takes_context=True)
def lesson_body(context, page):
    """The lesson's body blocks, the unchanging ones from the per-revision cache (courses.rendering)."""
    from courses.rendering import render_body

    return render_body(context, page)


@register.simple_tag(takes_context=True)
def lesson_embed(context, embed_value):
    """A video's embed HTML: prefetched by the lesson page, else fetched (and cached) once; a link if that fails."""
    from wagtail.embeds import embeds
    from wagtail.embeds.exceptions import EmbedException

    url = getattr(embed_value, "url", None) or (embed_value if isinstance(embed_value, str) else None)
    if not url:
        return ""
    embed = (context.get("lesson_embeds") or {}).get(url)
    if embed is None:
        try:
            embed = embeds.get_embed(url)
        except EmbedException:
            embed = None
    if embed is not None and embed.html:
        return mark_safe(embed.html)  # noqa: S308 - HTML from the oEmbed provider, as Wagtail's {% embed %} does
    return format_html('<p><a href="{}" rel="noopener noreferrer">{}</a></p>', url, _("Watch the video"))
