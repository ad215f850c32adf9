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
    # "lesson-body2": the checks are kept per state since; a process of the release before reads
    # only its own "lesson-body" entries (a rolling deploy mixes the two).
    return f"lesson-body2:{page.pk}:{page.live_revision_id}:{get_language()}:{pagecache.request_host(request)}:{generation}"


def _render_child(context, child, extra=None):
    from django.utils.html import conditional_escape

    block_context = context.flatten()  # what {% include_block %} passes
    block_context.update(extra or {})
    return conditional_escape(child.render_as_block(context=block_context))


# A check shows the reader's own state: not answered, last answer right, last answer wrong. Its
# template reads nothing of the reader's result but whether there is one and ``result.correct``.
CHECK_STATES = (None, True, False)


def _check_state(context, block_id):
    result = (context.get("check_results") or {}).get(str(block_id)) if block_id else None
    return None if not result else bool(result.get("correct"))


def _check_variants(context, index, child):
    """``(index, {state: HTML})``: the check rendered once for each state, with the CSRF placeholder
    of ``elearning.pagecache`` where the reader's token goes."""
    from elearning.pagecache import csrf_placeholder_value

    variants = {}
    for state in CHECK_STATES:
        results = {} if state is None or not child.id else {str(child.id): {"correct": state}}
        extra = {"check_results": results, "csrf_token": csrf_placeholder_value()}
        variants[state] = str(_render_child(context, child, extra))
    return (index, variants)


def _render_segments(context, body):
    """Every block rendered to HTML; a knowledge check as its index and its HTML for each state."""
    extra = prefetch_body(body)
    segments = []
    for index, child in enumerate(body):
        if child.block_type == CHECK_BLOCK_TYPE:
            segments.append(_check_variants(context, index, child))
        else:
            segments.append(str(_render_child(context, child, extra)))
    return segments


def _render_check(context, body, segment):
    """The reader's check: the kept HTML of their state with their own CSRF token, or (without a
    token to put in, or from an older kept entry) rendered for them."""
    from elearning.pagecache import csrf_placeholder_value

    index, variants = segment if isinstance(segment, tuple) else (segment, None)
    token = context.get("csrf_token")
    if variants is None or token is None or str(token) == "NOTPROVIDED":
        # Indexing decodes only the blocks of that type: checks hold no references.
        return str(_render_child(context, body[index]))
    # The kept HTML needs only the block's id: read from the stored JSON, no block decoded.
    block_id = body.raw_data[index].get("id")
    return variants[_check_state(context, block_id)].replace(csrf_placeholder_value(), str(token))


def _shareable(segments):
    return not any(isinstance(s, str) and "csrfmiddlewaretoken" in s for s in segments)


def render_body(context, page):
    """The lesson body as ``{% for block in page.body %}{% include_block block %}{% endfor %}`` renders it.

    Everything but the knowledge checks is the same for every reader of a revision: it is kept
    in the default cache and in the process's memo per page, live revision, language, host and
    content generation (``elearning.pagecache``: any page, snippet, image or document change
    makes a new key), so a reader's page does not load the body's images, documents, procedures
    and legal documents again. The knowledge checks show the learner's own result and carry a CSRF
    token: each is kept rendered for its three states (not answered, right, wrong) with a placeholder
    for the token, and each reader gets the HTML of their own state with their own token. Only the
    check blocks may hold a form.
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
        parts.append(segment if isinstance(segment, str) else _render_check(context, page.body, segment))
    return mark_safe("".join(parts))  # noqa: S308 - blocks rendered by their own (escaping) templates
