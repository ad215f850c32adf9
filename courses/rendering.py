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
