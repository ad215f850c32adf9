"""The public pages' cache (elearning.pagecache): what anonymous visitors get from it, what is
never stored, and that a change in the admin shows at once."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import _does_token_match
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Procedure
from elearning import pagecache
from elearning.models import SiteSettings
from quizzes.models import Round
from quizzes.models.contests import next_round_change
from tests.factories.courses import ProcedureFactory
from tests.factories.elearning import ProfileFactory
from tests.factories.news import NewsIndexPageFactory, NewsPageFactory
from tests.factories.quizzes import make_contest

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def site(db):
    """Home, news with one article, the contest with a round open now, a procedure."""
    index = NewsIndexPageFactory()
    article = NewsPageFactory(parent=index, title="Tin về bộ phận một cửa")
    contest = make_contest(questions=5, rounds=2)
    procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return {"index": index, "article": article, "contest": contest, "procedure": procedure}


def get(client, url, **extra):
    """(response, number of queries)"""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def public_urls(site):
    contest = site["contest"]
    return [
        "/",
        site["index"].url,
        site["article"].url,
        "/thu-tuc/",
        "/thu-tuc/?q=khai+sinh",
        f"/thu-tuc/{site['procedure'].code}/",
        contest.url,
        contest.url + "leaderboard/",
        contest.url + "leaderboard/?round=1&scope=unit",
    ]


# --- Hits -------------------------------------------------------------------------------------------


def test_the_second_anonymous_visit_of_a_public_page_makes_no_query(client, site):
    for url in public_urls(site):
        first, _ = get(client, url)
        again, queries = get(Client(), url)  # another visitor
        assert first.status_code == again.status_code == 200, url
        assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit"), url
        assert queries == 0, url
        assert CSRF_INPUT.sub("", again.content.decode()) == CSRF_INPUT.sub("", first.content.decode()), url


def test_a_cached_page_keeps_its_headers_and_security_policy(client, site):
    first = client.get("/")
    hit = Client().get("/")
    assert hit["X-Cache"] == "hit"
    for header in ("Content-Type", "Content-Language", "X-Frame-Options", "Content-Security-Policy"):
        assert hit[header] == first[header], header
    assert "'unsafe-inline'" not in hit["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_a_head_request_is_answered_from_the_cache(client, site):
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = Client().head("/")
    assert response.status_code == 200 and response["X-Cache"] == "hit" and len(queries) == 0


# --- CSRF: each visitor their own token ---------------------------------------------------------------


def test_each_anonymous_visitor_gets_a_token_of_their_own_csrf_cookie(site):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    miss = first.get("/")
    hit = second.get("/")
    assert hit["X-Cache"] == "hit"
    placeholder = pagecache._placeholder()
    for client, response in ((first, miss), (second, hit)):
        html = response.content.decode()
        assert placeholder not in html
        secret = client.cookies["csrftoken"].value
        tokens = CSRF_INPUT.findall(html)
        assert tokens and all(_does_token_match(token, secret) for token in tokens)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value

    # The language switch of a cached page works: its token matches this visitor's cookie.
    token = CSRF_INPUT.findall(hit.content.decode())[0]
    switched = second.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_a_returning_visitor_keeps_their_csrf_cookie_on_a_hit(site):
    visitor = Client(enforce_csrf_checks=True)
    Client().get("/")  # someone else fills the cache
    visitor.get("/")
    secret = visitor.cookies["csrftoken"].value
    html = visitor.get("/").content.decode()
    assert visitor.cookies["csrftoken"].value == secret
    assert all(_does_token_match(token, secret) for token in CSRF_INPUT.findall(html))


# --- Who never gets the anonymous copy ---------------------------------------------------------------


def test_a_logged_in_visitor_is_never_served_the_anonymous_copy(client, site):
    member = Client()
    member.force_login(ProfileFactory(full_name="Nguyễn Thị Hằng").user)
    anonymous = client.get("/").content.decode()
    assert "Đăng nhập" in anonymous

    response, queries = get(member, "/")
    html = response.content.decode()
    assert "X-Cache" not in response and queries > 0
    assert "Nguyễn Thị Hằng" in html and "Đăng xuất" in html

    # … and their page is not stored for the next anonymous visitor.
    again = Client().get("/")
    assert again["X-Cache"] == "hit" and "Nguyễn Thị Hằng" not in again.content.decode()


def test_a_visitor_with_a_session_cookie_or_a_pending_message_bypasses_the_cache(client, site):
    client.get("/")
    stale = Client()
    stale.cookies["sessionid"] = "expired-or-unknown"
    assert "X-Cache" not in stale.get("/")
    with_message = Client()
    with_message.cookies["messages"] = "anything"
    assert "X-Cache" not in with_message.get("/")


def test_vietnamese_and_english_copies_never_mix(client, site):
    vietnamese = client.get("/")
    english_visitor = Client()
    english_visitor.cookies["django_language"] = "en"
    english = english_visitor.get("/")
    assert (vietnamese["X-Cache"], english["X-Cache"]) == ("miss", "miss")
    assert 'lang="en"' in english.content.decode() and "Log in" in english.content.decode()
    assert 'lang="vi"' in vietnamese.content.decode() and "Đăng nhập" in vietnamese.content.decode()

    english_again = english_visitor.get("/")
    vietnamese_again = Client().get("/")
    assert english_again["X-Cache"] == vietnamese_again["X-Cache"] == "hit"
    assert 'lang="en"' in english_again.content.decode() and english_again["Content-Language"] == "en"
    assert 'lang="vi"' in vietnamese_again.content.decode() and vietnamese_again["Content-Language"] == "vi"


# --- What is never stored -----------------------------------------------------------------------------


def test_post_admin_api_and_account_pages_are_never_cached(client, site):
    for url in ("/admin/login/", "/api/v1/units/", "/accounts/login/", "/learn/", "/contest/attempts/1/"):
        client.get(url)
        response, _ = get(Client(), url)
        assert "X-Cache" not in response, url  # not even looked up
    client.get(site["contest"].url + "start/")  # a redirect to the contest page
    assert Client().get(site["contest"].url + "start/")["X-Cache"] == "miss"

    posted = Client().post(site["index"].url, {"q": "x"})
    assert "X-Cache" not in posted
    assert Client().get(site["index"].url)["X-Cache"] == "miss"  # the POST stored nothing


def test_a_missing_page_is_not_stored(client, site):
    assert client.get("/khong-co-trang-nay/").status_code == 404
    again, queries = get(Client(), "/khong-co-trang-nay/")
    assert again.status_code == 404 and again["X-Cache"] == "miss" and queries > 0


def anonymous_request(path="/"):
    request = RequestFactory().get(path)
    request._messages = CookieStorage(request)
    return request


def run_middleware(view, path="/"):
    """The middleware around ``view`` (which may opt in), twice: was the second one a hit?"""

    def opted_in(request):
        pagecache.allow(request)
        return view(request)

    middleware = pagecache.PageCacheMiddleware(opted_in)
    first = middleware(anonymous_request(path))
    second = middleware(anonymous_request(path))
    return first, second["X-Cache"] == "hit"


def test_a_response_that_sets_a_cookie_is_never_stored():
    def sets_cookie(request):
        response = HttpResponse("<p>xin chào</p>")
        response.set_cookie("seen", "1")
        return response

    first, hit = run_middleware(sets_cookie)
    assert first.cookies["seen"].value == "1" and not hit


@pytest.mark.parametrize(
    "view",
    [
        lambda request: HttpResponse("private", headers={"Cache-Control": "private"}),
        lambda request: HttpResponse("no-store", headers={"Cache-Control": "max-age=0, no-store"}),
        lambda request: HttpResponse("varies", headers={"Vary": "Accept-Encoding"}),
        lambda request: HttpResponse("created", status=201),
        lambda request: StreamingHttpResponse(iter([b"a", b"b"])),
    ],
    ids=["private", "no-store", "vary", "not-200", "streaming"],
)
def test_private_varying_streaming_or_non_200_responses_are_never_stored(view):
    _first, hit = run_middleware(view)
    assert not hit


def test_a_page_showing_a_message_is_never_stored():
    def with_message(request):
        request._messages.add(20, "Đã lưu.")
        return HttpResponse("".join(str(m) for m in request._messages))

    first, hit = run_middleware(with_message)
    assert "Đã lưu." in first.content.decode() and not hit


def test_a_view_that_did_not_opt_in_is_never_stored():
    middleware = pagecache.PageCacheMiddleware(lambda request: HttpResponse("ok"))
    middleware(anonymous_request())
    assert middleware(anonymous_request())["X-Cache"] == "miss"


# --- Changes show at once -----------------------------------------------------------------------------


def test_publishing_a_page_changes_what_anonymous_visitors_see_at_once(client, site):
    article = site["article"]
    assert "Tin về bộ phận một cửa" in client.get("/").content.decode()
    assert Client().get("/")["X-Cache"] == "hit"

    article.title = "Khai trương bộ phận một cửa hiện đại"
    article.save_revision().publish()
    home = Client().get("/").content.decode()
    assert "Khai trương bộ phận một cửa hiện đại" in home and "Tin về bộ phận một cửa" not in home
    assert "Khai trương bộ phận một cửa hiện đại" in Client().get(article.url).content.decode()

    article.unpublish()
    assert "Khai trương bộ phận một cửa hiện đại" not in Client().get("/").content.decode()
    assert Client().get(article.url).status_code == 404


def test_a_draft_does_not_reach_the_cached_page(client, site):
    article = site["article"]
    client.get(article.url)
    article.title = "Bản nháp chưa duyệt"
    article.save_revision()
    assert "Bản nháp chưa duyệt" not in Client().get(article.url).content.decode()


def test_editing_a_snippet_or_the_site_settings_shows_at_once(client, site):
    procedure = site["procedure"]
    url = f"/thu-tuc/{procedure.code}/"
    client.get(url)
    client.get("/")

    procedure = Procedure.objects.get(pk=procedure.pk)
    procedure.name = "Đăng ký khai sinh có yếu tố nước ngoài"
    procedure.save()
    assert "Đăng ký khai sinh có yếu tố nước ngoài" in Client().get(url).content.decode()

    settings_row = SiteSettings.objects.get()
    settings_row.organisation = "Văn phòng HĐND và UBND huyện Phú Lương"
    settings_row.save()
    assert "Văn phòng HĐND và UBND huyện Phú Lương" in Client().get("/").content.decode()


def test_a_new_section_reaches_the_navigation_of_logged_in_visitors_at_once(site):
    from tests.factories.courses import CourseIndexPageFactory

    member = Client()
    member.force_login(ProfileFactory().user)
    assert 'href="/khoa-hoc/"' not in member.get("/").content.decode()
    CourseIndexPageFactory(slug="khoa-hoc")
    assert 'href="/khoa-hoc/"' in member.get("/").content.decode()


# --- Lifetimes ----------------------------------------------------------------------------------------


@pytest.fixture
def stored_timeouts(monkeypatch):
    """The lifetime each stored page was given, by path."""
    stored = {}
    original = pagecache.PageCacheMiddleware._storable_for

    def spy(self, request, response):
        timeout = original(self, request, response)
        if timeout:
            stored[request.get_full_path()] = timeout
        return timeout

    monkeypatch.setattr(pagecache.PageCacheMiddleware, "_storable_for", spy)
    return stored


def test_contest_pages_live_a_few_seconds_and_content_pages_a_minute(client, site, settings, stored_timeouts):
    contest = site["contest"]
    for url in (contest.url, contest.url + "leaderboard/", site["article"].url, "/thu-tuc/"):
        client.get(url)
    assert stored_timeouts[contest.url] == stored_timeouts[contest.url + "leaderboard/"] == 5
    assert stored_timeouts[site["article"].url] == stored_timeouts["/thu-tuc/"] == settings.PAGE_CACHE_TIMEOUT == 60


def test_pages_saying_which_round_is_open_expire_when_a_round_opens_or_closes(client, site, stored_timeouts):
    contest = site["contest"]
    Round.objects.filter(contest=contest, number=1).update(closes_at=timezone.now() + timedelta(seconds=20))
    Round.objects.filter(contest=contest, number=2).update(opens_at=timezone.now() + timedelta(seconds=20))
    pagecache.invalidate()  # the rounds were changed behind the signals' back

    client.get("/")
    client.get(contest.get_parent().url)
    assert 0 < stored_timeouts["/"] <= 20
    assert 0 < stored_timeouts[contest.get_parent().url] <= 20


def test_next_round_change_is_the_earliest_future_opening_or_closing(site):
    now = timezone.now()
    rounds = list(site["contest"].rounds.order_by("number"))
    assert next_round_change(now) == rounds[0].closes_at  # round 1 is open, round 2 opens as it closes
    assert next_round_change(rounds[1].closes_at) is None
    assert next_round_change(rounds[0].opens_at - timedelta(seconds=1)) == rounds[0].opens_at


# --- What each process keeps: the generation for a second, the pages it served -----------------------


class CountingCache:
    """The default cache, counting the calls that reach it (each is a round trip on Redis)."""

    def __init__(self, cache):
        self.cache = cache
        self.calls = 0

    def __getattr__(self, name):
        attribute = getattr(self.cache, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls += 1
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def counting_cache(monkeypatch):
    counting = CountingCache(cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    return counting


def test_a_hit_within_the_generation_window_makes_no_round_trip_to_the_cache(client, site, counting_cache):
    client.get("/")  # stored (and kept by this process)
    counting_cache.calls = 0
    hit = Client().get("/")
    assert hit["X-Cache"] == "hit"
    assert counting_cache.calls == 0


def test_another_process_change_is_seen_once_the_window_has_passed(client, site, monkeypatch, settings):
    settings.PAGE_CACHE_GENERATION_SECONDS = 1
    clock = [pagecache.time.monotonic()]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    assert client.get("/")["X-Cache"] == "miss"
    assert Client().get("/")["X-Cache"] == "hit"
    cache.set(pagecache.GENERATION_KEY, "made-by-another-process", timeout=None)  # its publish
    clock[0] += 0.5
    assert Client().get("/")["X-Cache"] == "hit"  # within the second: the token this process read
    clock[0] += 0.6
    assert Client().get("/")["X-Cache"] == "miss"  # read again: everything kept before is stale


def test_with_no_window_every_request_reads_the_generation(client, site, settings):
    settings.PAGE_CACHE_GENERATION_SECONDS = 0
    client.get("/")
    cache.set(pagecache.GENERATION_KEY, "made-by-another-process", timeout=None)
    assert Client().get("/")["X-Cache"] == "miss"


def test_a_kept_page_is_not_served_after_its_own_expiry(client, site, monkeypatch):
    contest_url = site["contest"].url  # kept PAGE_CACHE_LIVE_TIMEOUT (5 s)
    client.get(contest_url)
    assert Client().get(contest_url)["X-Cache"] == "hit"
    later = pagecache.time.time() + 6
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert Client().get(contest_url)["X-Cache"] == "miss"


def test_an_entry_of_the_release_before_is_never_read(client, site):
    """A rolling deploy: entries of the previous format live under the previous prefix."""
    assert pagecache.ENTRY_PREFIX != "pagecache:page:"
    generation = pagecache.current_generation()
    key = pagecache._entry_key(RequestFactory().get("/"), "vi")
    cache.set(key, (generation, b"old", []), timeout=60)  # a three-part entry under today's key
    response = client.get("/")
    assert response["X-Cache"] == "miss" and response.content != b"old"


def test_a_process_keeps_a_bounded_number_of_pages(client, site, settings):
    settings.PAGE_CACHE_KEPT_PAGES = 3
    for url in public_urls(site):
        client.get(url)
    assert len(pagecache._kept_pages._entries) == 3
