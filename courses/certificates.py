"""Certificates on paper: the QR code and the PDF (verification codes come from the model).

The PDF is drawn by WeasyPrint from ``templates/courses/certificate_pdf.html`` each time
it is downloaded (nothing is stored: the certificate row holds every fact printed on it).
WeasyPrint needs the pango system library; it is imported only here, only when a PDF is
asked for, so the rest of the site runs on a machine without it and the download answers
with :data:`UNAVAILABLE_MESSAGE` instead.

The font is embedded: Be Vietnam Pro, one file per weight holding both the Latin and the
Vietnamese letters (see ``static/fonts/README.md`` for why the site's split files are not
used here). The renderer fetches nothing but those font files and ``data:`` URIs, so no
text typed by a learner can make the server request a URL.
"""

import base64
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

FONT_FILES = {
    400: "fonts/be-vietnam-pro-latin-vietnamese-400-normal.woff2",
    700: "fonts/be-vietnam-pro-latin-vietnamese-700-normal.woff2",
}
UNAVAILABLE_MESSAGE = _(
    "The certificate PDF cannot be produced on this server right now (the PDF engine is not installed). "
    "Your certificate is valid: its verification page below shows it. Please try the download later "
    "or tell the site administrator."
)


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs cannot be loaded."""


def qr_svg(url):
    """The QR code of ``url`` as an SVG document (a string)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def qr_data_uri(url):
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url).encode()).decode("ascii")


def _font_path(relative):
    found = finders.find(relative)
    if found:
        return Path(found)
    return Path(settings.STATIC_ROOT) / relative


def font_urls():
    return {weight: _font_path(relative).as_uri() for weight, relative in FONT_FILES.items()}


@lru_cache(maxsize=1)
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: pango/cairo missing
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def pdf_available():
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def _url_fetcher(allowed):
    """A fetcher that loads the font files and ``data:`` URIs, and nothing else."""
    _weasyprint()
    from weasyprint.urls import URLFetcher

    class CertificateFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:") or url in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"The certificate may not load {url!r}")

    return CertificateFetcher(allowed_protocols=("data", "file"))


def render_certificate_pdf(certificate, verify_url, *, organisation=""):
    """The PDF (bytes) of ``certificate``; raises :class:`PdfUnavailable` without WeasyPrint."""
    weasyprint = _weasyprint()
    fonts = font_urls()
    html = render_to_string(
        "courses/certificate_pdf.html",
        {
            "certificate": certificate,
            "verify_url": verify_url,
            "qr_uri": qr_data_uri(verify_url),
            "fonts": fonts,
            "organisation": organisation,
        },
    )
    document = weasyprint.HTML(string=html, url_fetcher=_url_fetcher(set(fonts.values())))
    return document.write_pdf()
