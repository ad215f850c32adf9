"""Organizer actions recorded in Wagtail's audit log (Reports → Site history)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

ACTIONS = {
    "quizzes.close_round": _("Close a round and compute its final ranking"),
    "quizzes.draft_prizes": _("Draft the prizes"),
    "quizzes.confirm_prizes": _("Confirm the prizes"),
    "quizzes.export": _("Export contest results"),
}


@hooks.register("register_log_actions")
def register_contest_actions(actions):
    for action, label in ACTIONS.items():
        actions.register_action(action, label, label)
