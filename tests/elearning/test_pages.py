"""The public site: page tree, home, news, navigation, language, error pages."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views.defaults import server_error
from taggit.models import Tag
from wagtail import hooks
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from elearning.models import HomePage, NewsIndexPage, NewsPage
from elearning.models.pages import HOME_CONTEXT_HOOK
from tests.factories.news import CustomImageFactory, NewsIndexPageFactory, NewsPageFactory, home_page

pytestmark = pytest.mark.django_db


def titles_in(html):
    return re.findall(r'class="card-title"><a href="[^"]*">([^<]*)</a>', html)


class TestPageTree(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = home_page()
        cls.index = NewsIndexPageFactory(parent=cls.home)
        cls.article = NewsPageFactory(parent=cls.index, title="Một cửa liên thông")

    def test_news_lives_under_the_home_page(self):
        self.assertCanCreateAt(HomePage, NewsIndexPage)
        self.assertCanCreateAt(NewsIndexPage, NewsPage)

    def test_news_cannot_be_placed_elsewhere(self):
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertCanNotCreateAt(NewsPage, NewsPage)
        self.assertCanNotCreateAt(Page, NewsIndexPage)
        self.assertCanNotCreateAt(NewsIndexPage, NewsIndexPage)

    def test_there_is_only_one_home_page(self):
        self.assertCanCreateAt(Page, HomePage)  # the type may sit at the root…
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))  # …but one exists already

    def test_pages_render(self):
        self.assertPageIsRenderable(self.home)
        self.assertPageIsRenderable(self.index)
        self.assertPageIsRenderable(self.article)
        self.assertPageIsRenderable(self.index, query_data={"tag": "khong-co", "page": "9"})

    def test_an_article_can_be_written_and_edited_in_the_admin(self):
        def form_data(title, slug):
            return nested_form_data(
                {
                    "title": title,
                    "slug": slug,
                    "date": "2018-06-04",
                    "intro": "Nhận kết quả tại nhà.",
                    "body": streamfield(
                        [
                            ("heading", "Đăng ký thế nào?"),
                            ("paragraph", rich_text("<p>Đề nghị khi nộp hồ sơ.</p>")),
                            ("callout", {"tone": "note", "text": rich_text("<p>Thuận tiện.</p>")}),
                        ]
                    ),
                    "tags": "Bưu chính công ích",
                }
            )

        self.login()
        self.assertCanCreate(self.index, NewsPage, form_data("Trả kết quả qua bưu điện", "tra-ket-qua-qua-buu-dien"))
        self.assertPageIsEditable(self.article, post_data=form_data("Một cửa liên thông", self.article.slug))


# --- Home --------------------------------------------------------------------------


@pytest.fixture
def news_index():
    return NewsIndexPageFactory()


def test_home_shows_the_latest_news_newest_first(client, news_index):
    for day in range(1, 7):
        NewsPageFactory(parent=news_index, title=f"Tin ngày {day}", date=datetime.date(2018, 6, day))
    NewsPageFactory(parent=news_index, title="Bản nháp", date=datetime.date(2018, 7, 1), live=False)

    html = client.get("/").content.decode()

    assert titles_in(html) == ["Tin ngày 6", "Tin ngày 5", "Tin ngày 4", "Tin ngày 3"]
    assert "Ngày 06 tháng 6 năm 2018" in html
    assert 'href="/tin-tuc/"' in html


def test_home_without_content_shows_empty_states(client):
    html = client.get("/").content.decode()

    assert "Chưa có tin bài nào." in html
    assert "Hiện chưa có cuộc thi nào đang diễn ra." in html
    assert "Chưa có khoá học nào được mở." in html


def test_home_renders_the_contest_and_courses_the_other_apps_provide(client, news_index):
    contest = NewsPageFactory(parent=news_index, title="Cuộc thi tìm hiểu CCHC năm 2018")
    closes = timezone.make_aware(datetime.datetime(2018, 6, 10, 17, 0))
    contest.current_round = SimpleNamespace(number=2, closes_at=closes)
    course = NewsPageFactory(parent=news_index, title="Bộ phận một cửa hiện đại", search_description="Quy trình.")

    def provide(request, page):
        return {"current_contest": contest, "featured_courses": [course]}

    with hooks.register_temporarily(HOME_CONTEXT_HOOK, provide):
        html = client.get("/").content.decode()

    assert "Tuần thi thứ 2 đang mở" in html
    assert "Cuộc thi tìm hiểu CCHC năm 2018" in html
    assert "Hạn nộp bài: 17:00 ngày 10/06/2018." in html
    assert f'href="{contest.url}"' in html
    assert "Bộ phận một cửa hiện đại" in html
    assert "Hiện chưa có cuộc thi nào" not in html
    assert "Chưa có khoá học nào" not in html


def _queries(client, url):
    client.get(url)  # renditions, site settings and the memos (elearning.pagecache) are made on the first views
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# What rendering a page costs when the anonymous page cache does not answer (a miss, or a
# logged-in visitor): routing (one query once memoised), view restrictions, the listing; the
# contest and courses apps add theirs through the home hook. Site, site settings and the
# navigation sections come from the per-process memo. None grows with the content. A cached
# copy costs none: tests/elearning/test_pagecache.py.
PAGE_QUERY_BUDGET = 10


@pytest.fixture
def page_cache_off(settings):
    """These tests measure the render itself, which the page cache would otherwise skip."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.mark.usefixtures("page_cache_off")
def test_home_query_count_is_bounded(client, news_index, django_assert_max_num_queries):
    NewsPageFactory(parent=news_index, image=CustomImageFactory(), tags=["Một cửa"])
    with_one = _queries(client, "/")
    for _ in range(5):
        NewsPageFactory(parent=news_index, image=CustomImageFactory(), tags=["Một cửa"])
    client.get("/")

    with django_assert_max_num_queries(PAGE_QUERY_BUDGET):
        client.get("/")
    assert _queries(client, "/") == with_one


# --- News index ------------------------------------------------------------------------


def test_news_index_pages_ten_articles_at_a_time(client, news_index):
    for day in range(1, 13):
        NewsPageFactory(parent=news_index, title=f"Tin số {day}", date=datetime.date(2018, 5, day))

    first = client.get("/tin-tuc/").content.decode()
    second = client.get("/tin-tuc/?page=2").content.decode()

    assert titles_in(first) == [f"Tin số {day}" for day in range(12, 2, -1)]
    assert titles_in(second) == ["Tin số 2", "Tin số 1"]
    assert 'href="?page=2"' in first
    assert 'aria-current="page" aria-label="Trang 2"' in second
    # A page past the end shows the last page, nonsense shows the first.
    assert titles_in(client.get("/tin-tuc/?page=99").content.decode()) == ["Tin số 2", "Tin số 1"]
    assert titles_in(client.get("/tin-tuc/?page=abc").content.decode())[0] == "Tin số 12"


def test_news_index_filters_by_tag_and_keeps_the_filter_when_paging(client, news_index):
    one_stop = Tag.objects.create(name="Một cửa", slug="mot-cua")
    online = Tag.objects.create(name="Dịch vụ công trực tuyến", slug="dich-vu-cong-truc-tuyen")
    for day in range(1, 12):
        NewsPageFactory(parent=news_index, title=f"Một cửa {day}", date=datetime.date(2018, 5, day), tags=[one_stop])
    NewsPageFactory(parent=news_index, title="Nộp hồ sơ qua mạng", tags=[online])

    html = client.get("/tin-tuc/?tag=mot-cua").content.decode()

    assert "Nộp hồ sơ qua mạng" not in titles_in(html)
    assert len(titles_in(html)) == 10
    assert 'href="?tag=mot-cua&amp;page=2"' in html
    assert 'href="/tin-tuc/?tag=dich-vu-cong-truc-tuyen"' in html
    assert titles_in(client.get("/tin-tuc/?tag=dich-vu-cong-truc-tuyen").content.decode()) == ["Nộp hồ sơ qua mạng"]
    assert "Chưa có tin bài nào về chủ đề này." in client.get("/tin-tuc/?tag=khong-co").content.decode()


@pytest.mark.usefixtures("page_cache_off")
def test_news_index_query_count_is_bounded(client, news_index, django_assert_max_num_queries):
    NewsPageFactory(parent=news_index, image=CustomImageFactory(), tags=["Một cửa", "ISO 9001"])
    with_one = _queries(client, "/tin-tuc/?tag=mot-cua")
    for _ in range(11):
        NewsPageFactory(parent=news_index, image=CustomImageFactory(), tags=["Một cửa", "ISO 9001"])
    client.get("/tin-tuc/?tag=mot-cua")

    with django_assert_max_num_queries(PAGE_QUERY_BUDGET):
        client.get("/tin-tuc/?tag=mot-cua")
    assert _queries(client, "/tin-tuc/?tag=mot-cua") == with_one


# --- News article ------------------------------------------------------------------------


def test_article_shows_date_image_body_and_tags(client, news_index):
    image = CustomImageFactory(title="IMG_2041.jpg", alt_text="Quầy tiếp nhận hồ sơ của Bộ phận Một cửa")
    article = NewsPageFactory(
        parent=news_index,
        title="Bộ phận Một cửa",
        date=datetime.date(2018, 6, 4),
        image=image,
        body=[
            ("heading", "Người dân được lợi gì?"),
            ("paragraph", "<p>Một đầu mối duy nhất.</p>"),
            ("callout", {"tone": "warning", "text": "<p>Hồ sơ trễ hẹn phải có thư xin lỗi.</p>"}),
        ],
        tags=[Tag.objects.create(name="Một cửa", slug="mot-cua")],
    )

    html = client.get(article.url).content.decode()

    assert '<time datetime="2018-06-04">Ngày 04 tháng 6 năm 2018</time>' in html
    img = re.search(r"<img [^>]*>", html.split('class="article-image"')[1]).group(0)
    assert 'alt="Quầy tiếp nhận hồ sơ của Bộ phận Một cửa"' in img
    assert 'loading="lazy"' in img
    assert "srcset=" in img
    assert '<h2 class="block-heading">Người dân được lợi gì?</h2>' in html
    assert "Một đầu mối duy nhất." in html
    assert 'class="callout callout-warning"' in html
    assert "Cảnh báo" in html
    assert '<a class="tag" href="/tin-tuc/?tag=mot-cua">Một cửa</a>' in html


def test_image_without_alt_text_falls_back_to_its_title(client, news_index):
    article = NewsPageFactory(parent=news_index, image=CustomImageFactory(title="Hội nghị CCHC", alt_text=""))

    html = client.get(article.url).content.decode()

    assert 'alt="Hội nghị CCHC"' in html


# --- Navigation, language, errors ----------------------------------------------------------


def _nav(client):
    return client.get("/").content.decode().split('class="site-nav"')[1].split("</nav>")[0]


def test_navigation_links_only_the_sections_that_exist(client, news_index):
    contest_index_model = apps.get_model("quizzes", "ContestIndexPage")
    contest_index_model.objects.live().unpublish()

    nav = _nav(client)
    assert '<a href="/tin-tuc/">Tin tức</a>' in nav
    assert 'href="/" aria-current="page">Trang chủ</a>' in nav
    assert "Cuộc thi" not in nav

    home_page().add_child(instance=contest_index_model(title="Cuộc thi CCHC", slug="cuoc-thi"))
    news_index.unpublish()

    nav = _nav(client)
    assert '<a href="/cuoc-thi/">Cuộc thi</a>' in nav
    assert "Tin tức" not in nav


def test_navigation_marks_the_current_section(client, news_index):
    article = NewsPageFactory(parent=news_index)

    html = client.get(article.url).content.decode()

    assert '<a href="/tin-tuc/" aria-current="page">Tin tức</a>' in html


def test_first_page_of_type_ignores_unknown_and_non_page_models(rf):
    from elearning.templatetags.elearning_tags import first_page_of_type

    context = {"request": rf.get("/")}
    assert first_page_of_type(context, "nosuchapp.nosuchpage") is None
    assert first_page_of_type(context, "elearning.unit") is None
    assert first_page_of_type(context, "elearning.HomePage") == home_page()


def test_vietnamese_is_the_default_even_for_an_english_browser(client, news_index):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="vi">' in html
    assert "Tin mới" in html
    assert "Latest news" not in html


def test_language_switch_keeps_the_page(client, news_index):
    html = client.get("/tin-tuc/").content.decode()
    assert '<input name="next" type="hidden" value="/tin-tuc/">' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tin-tuc/"})

    assert response.status_code == 302
    assert response["Location"] == "/tin-tuc/"
    english = client.get("/tin-tuc/").content.decode()
    assert '<html lang="en">' in english
    assert ">Home</a>" in english
    assert 'value="vi" lang="vi"' in english  # the way back to Vietnamese

    client.post("/i18n/setlang/", {"language": "vi", "next": "/tin-tuc/"})
    assert '<html lang="vi">' in client.get("/tin-tuc/").content.decode()


def test_missing_page_is_a_friendly_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Không tìm thấy trang" in html
    assert "Về trang chủ" in html


def test_server_error_page_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Đã có lỗi xảy ra" in html
    assert "/static/css/site.css" in html
    assert render_to_string("500.html")  # no context at all


def test_footer_shows_the_site_settings_contact_block(client):
    from elearning.models import SiteSettings

    settings = SiteSettings.for_site(home_page().get_site())
    settings.organisation = "Phòng Nội vụ huyện Phú Lương"
    settings.phone = "0208 3000 000"
    settings.content_responsible = "Trưởng phòng Nội vụ"
    settings.save()

    html = client.get("/").content.decode()
    footer = html.split('class="site-footer"')[1]

    assert "Phòng Nội vụ huyện Phú Lương" in footer
    assert 'href="tel:02083000000"' in footer
    assert "Chịu trách nhiệm nội dung: Trưởng phòng Nội vụ" in footer
