"""Content negotiation with a shortcut for what nearly every API client sends.

DRF's negotiation parses the ``Accept`` header into media types and matches them against each
renderer on every request. Clients of this API send no ``Accept``, ``*/*`` or exactly the first
renderer's media type (``application/json``); for those DRF always picks the first renderer with its
own media type, and so does :class:`ShortcutContentNegotiation` without parsing anything. Any other
header, a ``?format=`` or a format suffix goes through DRF's negotiation unchanged (with its 406).
"""

from rest_framework.negotiation import DefaultContentNegotiation


class ShortcutContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if renderers and not format_suffix:
            first = renderers[0]
            accept = request.META.get("HTTP_ACCEPT")
            override = self.settings.URL_FORMAT_OVERRIDE
            plain = ";" not in first.media_type and "*" not in first.media_type
            if (
                plain
                and (accept is None or accept == "*/*" or accept == first.media_type)
                and not (override and override in request.query_params)
            ):
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
