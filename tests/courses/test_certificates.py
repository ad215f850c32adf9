"""Certificates: the PDF (Vietnamese text read back), the owner-only download, the public
verification page that shows no contact data."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from courses import certificates
from courses.models import Certificate
from tests.factories.courses import EnrolmentFactory, make_course
from tests.factories.elearning import OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hoà"
COURSE = "Cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"
needs_pdf = pytest.mark.skipif(
    not certificates.pdf_available(), reason="WeasyPrint cannot load here (pango missing): no PDF to read back"
)


@pytest.fixture
def certificate():
    profile = OfficialFactory(
        full_name=NAME, unit=UnitFactory(name="Xã Yên Trạch"), phone="0912345678", national_id="001088012345"
    )
    profile.user.email = "hoa@example.vn"
    profile.user.save()
    course = make_course(lessons=1, title=COURSE)
    enrolment = EnrolmentFactory(user=profile.user, course=course)
    issued = datetime(2018, 6, 15, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    enrolment.completed_at = issued
    enrolment.enrolled_at = issued.replace(day=1)
    enrolment.save()
    return Certificate.objects.create(
        enrolment=enrolment,
        issued_at=issued,
        hours=Decimal("2.5"),
        learner_name=NAME,
        unit_name="Xã Yên Trạch",
        course_title=COURSE,
    )


def pdf_text(content):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@needs_pdf
def test_the_pdf_says_who_what_when_in_vietnamese(client, certificate):
    client.force_login(certificate.enrolment.user)
    response = client.get(reverse("courses:certificate_download", kwargs={"code": certificate.code}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = pdf_text(content)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert NAME in lines
    assert COURSE in lines
    assert "Xã Yên Trạch" in lines
    assert "15/06/2018" in text
    assert certificate.code in text
    assert "0912345678" not in text and "hoa@example.vn" not in text


@needs_pdf
def test_the_pdf_embeds_its_font(certificate):
    from pypdf import PdfReader

    pdf = certificates.render_certificate_pdf(certificate, "https://example.vn/certificates/x/")
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    descriptors = []
    for font in fonts.values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptors.append(descendant.get_object()["/FontDescriptor"].get_object())
    assert descriptors and all(
        any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")) for descriptor in descriptors
    )


def test_only_the_owner_downloads_others_get_404(client, certificate):
    url = reverse("courses:certificate_download", kwargs={"code": certificate.code})
    assert client.get(url).status_code == 302  # log in first
    client.force_login(OfficialFactory().user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("courses:certificate_download", kwargs={"code": "nope"})).status_code == 404


def test_without_the_pdf_engine_the_download_says_so(client, certificate, monkeypatch):
    def unavailable(*args, **kwargs):
        raise certificates.PdfUnavailable("no pango")

    monkeypatch.setattr(certificates, "render_certificate_pdf", unavailable)
    client.force_login(certificate.enrolment.user)
    response = client.get(reverse("courses:certificate_download", kwargs={"code": certificate.code}))
    assert response.status_code == 503
    html = response.content.decode()
    assert reverse("courses:certificate_verify", kwargs={"code": certificate.code}) in html
    assert str(certificates.UNAVAILABLE_MESSAGE)[:30] in html


def test_verification_page_is_public_and_shows_no_contact_data(client, certificate):
    response = client.get(reverse("courses:certificate_verify", kwargs={"code": certificate.code}))
    html = response.content.decode()
    assert response.status_code == 200
    assert NAME in html and COURSE in html and "15/06/2018" in html and "badge-success" in html
    for secret in ("0912345678", "hoa@example.vn", "001088012345", certificate.enrolment.user.username):
        assert secret not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_unknown_code_is_not_valid(client, certificate):
    response = client.get(reverse("courses:certificate_verify", kwargs={"code": "KHONGCOMA123"}))
    assert response.status_code == 404
    assert NAME not in response.content.decode()


def test_the_qr_code_points_at_the_verification_page():
    svg = certificates.qr_svg("https://cchc.example.vn/certificates/abc/")
    assert svg.startswith("<") and "<svg" in svg and "path" in svg
    assert certificates.qr_data_uri("x").startswith("data:image/svg+xml;base64,")


@needs_pdf
def test_the_renderer_loads_nothing_from_the_network():
    fetcher = certificates._url_fetcher(set())
    with pytest.raises(ValueError):
        fetcher("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError):
        fetcher("file:///etc/passwd")
