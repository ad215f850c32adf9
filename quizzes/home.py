"""The home page's contest banner, given through the core's hook so that
``elearning`` never imports the contest."""

from wagtail import hooks

from elearning import pagecache
from elearning.models.pages import HOME_CONTEXT_HOOK
from quizzes.models import ContestPage
from quizzes.models.contests import next_round_change


@hooks.register(HOME_CONTEXT_HOOK)
def current_contest(request, home_page):
    contests = ContestPage.objects.live().public().order_by("-first_published_at")
    pagecache.expires_at(request, next_round_change)  # the banner says which round is open
    open_now = next((contest for contest in contests if contest.current_round), None)
    return {"current_contest": open_now or contests.first()}
