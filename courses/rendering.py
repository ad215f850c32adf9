"""Loading what a lesson body's blocks show in a bounded number of queries.

Wagtail already fetches chooser values (images, documents, snippets) with one
query per block type when the stream is first read; this adds what those
objects show in turn: image renditions, procedures' legal basis, the documents
that replaced quoted legal documents, and cached video embeds.
"""

from django.db.models import Prefetch, prefetch_related_objects

LESSON_IMAGE_RENDITION = "max-960x720"


def _collect(body):
    images, procedures, legal_documents, video_urls = [], [], [], []
    for child in body:
        value = child.value
        if child.block_type == "image" and value.get("image"):
            images.append(value["image"])
        elif child.block_type == "procedure" and value.get("procedure"):
            procedures.append(value["procedure"])
        elif child.block_type == "callout" and value.get("legal_document"):
            legal_documents.append(value["legal_document"])
        elif child.block_type == "video" and value.get("video"):
            video_urls.append(value["video"].url)
    return images, procedures, legal_documents, video_urls


def prefetch_body(body):
    """Prefetch for every block of ``body``; returns extra template context."""
    from wagtail.embeds.models import Embed
    from wagtail.images import get_image_model

    images, procedures, legal_documents, video_urls = _collect(body)
    if images:
        renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=LESSON_IMAGE_RENDITION)
        prefetch_related_objects(images, Prefetch("renditions", queryset=renditions))
    if procedures:
        prefetch_related_objects(procedures, "legal_basis")
    if legal_documents:
        prefetch_related_objects(legal_documents, "replaced_by")
    embeds = {}
    if video_urls:
        for embed in Embed.objects.filter(url__in=set(video_urls), max_width=None).order_by("-last_updated"):
            embeds.setdefault(embed.url, embed)
    return {"lesson_embeds": embeds}


# --- The rendered body, cached per page revision ------------------------------------------------

CHECK_BLOCK_TYPE = "check"
BODY_CACHE_TIMEOUT = 10 * 60  # seconds; any content change makes a new key anyway (the generation)


def _body_cache_key(request, page):
    from django.utils.translation import get_language

    from elearning import pagecache

    if request is None or getattr(request, "is_preview", False):
        return None  # a preview renders a draft body under the live page's id
    generation = pagecache.current_generation(request)
    if generation is None:
        return None
    return f"lesson-body:{page.pk}:{page.live_revision_id}:{get_language()}:{request.get_host()}:{generation}"


def _render_child(context, child, extra=None):
    from django.utils.html import conditional_escape

    block_context = context.flatten()  # what {% include_block %} passes
    block_context.update(extra or {})
    return conditional_escape(child.render_as_block(context=block_context))


def _render_segments(context, body):
    """Every block but the knowledge checks rendered to HTML; a check is kept as its index."""
    extra = prefetch_body(body)
    segments = []
    for index, child in enumerate(body):
        segments.append(index if child.block_type == CHECK_BLOCK_TYPE else str(_render_child(context, child, extra)))
    return segments


def _shareable(segments):
    return not any(isinstance(s, str) and "csrfmiddlewaretoken" in s for s in segments)


def render_body(context, page):
    """The lesson body as ``{% for block in page.body %}{% include_block block %}{% endfor %}`` renders it.

    Everything but the knowledge checks is the same for every reader of a revision: it is kept
    in the default cache and in the process's memo per page, live revision, language, host and
    content generation (``elearning.pagecache``: any page, snippet, image or document change
    makes a new key), so a reader's page does not load the body's images, documents, procedures
    and legal documents again. The checks, which show the learner's own result and carry a CSRF token, are rendered
    for each request. Only the check blocks may hold a form.
    """
    from django.core.cache import cache
    from django.utils.safestring import mark_safe

    from elearning import pagecache

    request = context.get("request")
    key = _body_cache_key(request, page)

    def shared_segments():
        segments = cache.get(key)
        if segments is None:
            segments = _render_segments(context, page.body)
            if _shareable(segments):
                cache.set(key, segments, BODY_CACHE_TIMEOUT)
        return segments

    if key is None:
        segments = _render_segments(context, page.body)
    else:
        # Also kept in this process's memo for the same generation: no cache round trip.
        segments = pagecache.memo(request, key, shared_segments, keep=_shareable)
    parts = []
    for segment in segments:
        if isinstance(segment, str):
            parts.append(segment)
        else:
            # Indexing decodes only the blocks of that type: checks hold no references, so no query.
            parts.append(str(_render_child(context, page.body[segment])))
    return mark_safe("".join(parts))  # noqa: S308 - blocks rendered by their own (escaping) templates
