"""The course catalogue: topic and level filters, diacritic-insensitive search, 12 per page."""

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from courses.models import CourseLevel, CoursePage
from courses.search import fold, query_words
from tests.factories.courses import CourseIndexPageFactory, CoursePageFactory
from tests.factories.news import CustomImageFactory

pytestmark = pytest.mark.django_db

URL = "/khoa-hoc/"


def slug(name):
    return Tag.objects.get(name=name).slug


def titles(response):
    assert response.status_code == 200
    return re.findall(r'class="card-title"><a href="[^"]*">([^<]*)</a>', response.content.decode())


@pytest.fixture
def catalogue():
    index = CourseIndexPageFactory()
    CoursePageFactory(
        parent=index,
        title="Bộ phận một cửa hiện đại",
        summary="Tiếp nhận và trả kết quả.",
        level=CourseLevel.COMMUNE,
        learning_objectives="",
        tags=["Một cửa"],
    )
    CoursePageFactory(
        parent=index,
        title="ISO 9001:2015 trong cơ quan hành chính",
        summary="Hệ thống quản lý chất lượng.",
        level=CourseLevel.DISTRICT,
        learning_objectives="Áp dụng tiêu chuẩn",
        tags=["ISO"],
    )
    CoursePageFactory(
        parent=index,
        title="Dịch vụ công trực tuyến",
        summary="Cổng dịch vụ công quốc gia.",
        level=CourseLevel.ALL,
        learning_objectives="Hướng dẫn người dân nộp hồ sơ qua mạng",
        tags=["Một cửa", "Công nghệ thông tin"],
    )
    CoursePageFactory(parent=index, title="Khóa học nháp một cửa", live=False, tags=["Một cửa"])
    return index


def test_fold_removes_vietnamese_diacritics():
    assert fold("Một cửa LIÊN THÔNG  Đất đai") == "mot cua lien thong dat dai"
    assert query_words("  Một  cửa một ") == ["mot", "cua"]


def test_the_catalogue_lists_live_courses_in_tree_order(client, catalogue):
    assert titles(client.get(URL)) == [
        "Bộ phận một cửa hiện đại",
        "ISO 9001:2015 trong cơ quan hành chính",
        "Dịch vụ công trực tuyến",
    ]


@pytest.mark.parametrize(
    "query", ["một cửa hiện đại", "mot cua hien dai", "MOT CUA HIEN DAI", "hiện đại một cửa", "mot cửa  hien"]
)
def test_search_finds_courses_with_or_without_diacritics(client, catalogue, query):
    assert titles(client.get(URL, {"q": query})) == ["Bộ phận một cửa hiện đại"]


def test_search_matches_a_topic_tag_too(client, catalogue):
    assert titles(client.get(URL, {"q": "mot cua"})) == ["Bộ phận một cửa hiện đại", "Dịch vụ công trực tuyến"]


def test_search_covers_summary_objectives_and_tags(client, catalogue):
    assert titles(client.get(URL, {"q": "chat luong"})) == ["ISO 9001:2015 trong cơ quan hành chính"]
    assert titles(client.get(URL, {"q": "nop ho so qua mang"})) == ["Dịch vụ công trực tuyến"]
    assert titles(client.get(URL, {"q": "cong nghe thong tin"})) == ["Dịch vụ công trực tuyến"]


def test_search_without_a_match_says_so(client, catalogue):
    response = client.get(URL, {"q": "xyz không có"})

    assert titles(response) == []
    assert 'class="empty"' in response.content.decode()


def test_the_topic_filter(client, catalogue):
    assert titles(client.get(URL, {"tag": slug("Một cửa")})) == ["Bộ phận một cửa hiện đại", "Dịch vụ công trực tuyến"]
    assert titles(client.get(URL, {"tag": "iso"})) == ["ISO 9001:2015 trong cơ quan hành chính"]
    assert titles(client.get(URL, {"tag": "khong-co"})) == []


def test_the_topic_list_shows_only_tags_of_live_courses(client, catalogue):
    CoursePageFactory(parent=catalogue, title="Nháp", live=False, tags=["Chỉ trong bản nháp"])

    html = client.get(URL).content.decode()

    assert "Chỉ trong bản nháp" not in html
    assert f'<a class="tag" href="?tag={quote(slug("Một cửa"))}"' in html


def test_the_level_filter_includes_courses_for_every_level(client, catalogue):
    assert titles(client.get(URL, {"level": "commune"})) == ["Bộ phận một cửa hiện đại", "Dịch vụ công trực tuyến"]
    assert titles(client.get(URL, {"level": "district"})) == [
        "ISO 9001:2015 trong cơ quan hành chính",
        "Dịch vụ công trực tuyến",
    ]
    assert titles(client.get(URL, {"level": "all"})) == ["Dịch vụ công trực tuyến"]
    # An unknown level is ignored rather than an error.
    assert len(titles(client.get(URL, {"level": "province"}))) == 3


def test_filters_combine(client, catalogue):
    assert titles(client.get(URL, {"tag": slug("Một cửa"), "level": "district", "q": "truc tuyen"})) == [
        "Dịch vụ công trực tuyến"
    ]
    assert titles(client.get(URL, {"tag": "iso", "level": "commune"})) == []


def test_the_queryset_methods_pages_and_views_share(catalogue):
    published = CoursePage.objects.published()

    assert published.count() == 3
    assert [c.title for c in published.for_level("commune").search("mot cua")] == [
        "Bộ phận một cửa hiện đại",
        "Dịch vụ công trực tuyến",
    ]
    assert published.tagged("").count() == 3
    assert published.search("").count() == 3


def test_the_catalogue_pages_twelve_courses_and_keeps_the_filters(client):
    index = CourseIndexPageFactory()
    for n in range(1, 15):
        CoursePageFactory(parent=index, title=f"Khóa một cửa {n:02d}", tags=["Một cửa"])

    first = client.get(URL, {"tag": slug("Một cửa"), "q": "mot cua"})
    second = client.get(URL, {"tag": slug("Một cửa"), "q": "mot cua", "page": "2"})

    assert titles(first) == [f"Khóa một cửa {n:02d}" for n in range(1, 13)]
    assert titles(second) == ["Khóa một cửa 13", "Khóa một cửa 14"]
    html = first.content.decode()
    assert f'href="?tag={quote(slug("Một cửa"))}&amp;q=mot+cua&amp;page=2"' in html
    # Past the end shows the last page; nonsense shows the first.
    assert titles(client.get(URL, {"page": "99"})) == ["Khóa một cửa 13", "Khóa một cửa 14"]
    assert titles(client.get(URL, {"page": "abc"}))[0] == "Khóa một cửa 01"


def test_the_catalogue_renders_in_a_bounded_number_of_queries(client, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE_ENABLED = False  # the render a cache miss pays (the cache: tests/elearning/test_pagecache.py)
    index = CourseIndexPageFactory()
    CoursePageFactory(parent=index, cover_image=CustomImageFactory(), tags=["Một cửa", "ISO"])
    client.get(URL)  # renditions, site settings and the memos (elearning.pagecache) are made on the first views
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    with_one = len(queries)
    for n in range(11):
        CoursePageFactory(parent=index, cover_image=CustomImageFactory(), tags=["Một cửa", f"Chủ đề {n}"])
    client.get(URL)  # renditions are made on the first view

    with django_assert_max_num_queries(with_one):
        assert len(titles(client.get(URL, {"q": "khoa hoc"}))) == 12
