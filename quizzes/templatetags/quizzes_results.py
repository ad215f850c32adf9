"""Template helpers of the public results pages."""

from django import template

from quizzes.models import PrizeAward

register = template.Library()


@register.simple_tag
def has_winners(contest):
    """Whether ``contest`` has confirmed prizes (its winners page is worth a link)."""
    return PrizeAward.objects.filter(contest=contest, status=PrizeAward.Status.CONFIRMED).exists()
