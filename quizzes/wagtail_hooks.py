"""Admin screens of the contest, in one menu "Contest": question banks (with the
spreadsheet import and export) and questions. Organizers hold the permissions
(quizzes/migrations/0002_roles.py); other roles do not see the menu.

Other contest screens join the menu through the ``register_quizzes_contest_menu_item``
hook (a ``MenuItem``), or as a viewset with ``menu_hook = CONTEST_MENU_HOOK``.
"""

from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.admin.widgets.button import MenuItem as ButtonMenuItem

from elearning.admin_views.exports import SafeExportMixin
from quizzes import admin_views
from quizzes.models import Question, QuestionBank

CONTEST_MENU_HOOK = "register_quizzes_contest_menu_item"


def import_url(bank=None):
    url = reverse("quizzes_bank:import")
    return f"{url}?bank={bank.pk}" if bank else url


def questions_url(bank):
    return f"{reverse('quizzes_question:index')}?bank={bank.pk}"


class QuestionBankIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                question_count=Count("questions"),
                active_count=Count("questions", filter=Q(questions__active=True)),
            )
        )

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(admin_views.IMPORT_PERMISSION):
            buttons.append(HeaderButton(_("Import questions"), url=import_url(), icon_name="upload"))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(ButtonMenuItem(_("Questions"), url=questions_url(instance), icon_name="help", priority=1))
        user = self.request.user
        if user.has_perm(admin_views.IMPORT_PERMISSION):
            buttons.append(
                ButtonMenuItem(_("Import questions"), url=import_url(instance), icon_name="upload", priority=2)
            )
        if user.has_perm(admin_views.EXPORT_PERMISSION):
            buttons.append(
                ButtonMenuItem(
                    _("Export (.xlsx)"),
                    url=reverse("quizzes_bank:export", args=[instance.pk]),
                    icon_name="download",
                    priority=3,
                )
            )
        return buttons


class QuestionBankEditView(generic.EditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(Button(_("Questions"), url=questions_url(self.object), icon_name="help", priority=1))
        if self.request.user.has_perm(admin_views.IMPORT_PERMISSION):
            buttons.append(Button(_("Import questions"), url=import_url(self.object), icon_name="upload", priority=2))
        if self.request.user.has_perm(admin_views.EXPORT_PERMISSION):
            buttons.append(
                Button(
                    _("Export (.xlsx)"),
                    url=reverse("quizzes_bank:export", args=[self.object.pk]),
                    icon_name="download",
                    priority=3,
                )
            )
        return buttons


class ProtectedDeleteView(generic.DeleteView):
    """Answered questions (and banks holding them, or used by a contest) are kept:
    the database refuses the delete, and the organizer gets a message instead of an error page."""

    protected_message = ""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, self.protected_message)
            return redirect(self.edit_url_name, self.object.pk)


class QuestionBankDeleteView(ProtectedDeleteView):
    protected_message = _("This bank cannot be deleted: a contest uses it or participants have answered its questions.")


class QuestionDeleteView(ProtectedDeleteView):
    protected_message = _(
        "Participants have answered this question, so it cannot be deleted. "
        "Untick “active” instead: it will no longer be drawn."
    )


class QuestionBankViewSet(ModelViewSet):
    model = QuestionBank
    name = "quizzes_bank"
    url_prefix = "contest/banks"
    icon = "folder-inverse"
    menu_label = _("Question banks")
    index_view_class = QuestionBankIndexView
    edit_view_class = QuestionBankEditView
    delete_view_class = QuestionBankDeleteView
    list_display = [
        "title",
        "slug",
        Column("question_count", label=capfirst(_("questions")), sort_key="question_count"),
        Column("active_count", label=capfirst(_("active questions")), sort_key="active_count"),
    ]
    search_fields = ["title", "slug"]
    ordering = ["title"]
    copy_view_enabled = False

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", admin_views.QuestionImportView.as_view(), name="import"),
            path("import/confirm/", admin_views.QuestionImportConfirmView.as_view(), name="import_confirm"),
            path("<int:pk>/export/", admin_views.QuestionBankExportView.as_view(), name="export"),
        ]


def _tag_names(question):
    return ", ".join(sorted(item.tag.name for item in question.tagged_items.all()))


class QuestionIndexView(SafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("bank").prefetch_related("tagged_items__tag")


class QuestionViewSet(ModelViewSet):
    model = Question
    name = "quizzes_question"
    url_prefix = "contest/questions"
    icon = "help"
    menu_label = _("Questions")
    index_view_class = QuestionIndexView
    delete_view_class = QuestionDeleteView
    list_display = [
        "__str__",
        Column("bank", label=capfirst(_("bank")), sort_key="bank__title"),
        Column("topic", label=capfirst(_("topic")), sort_key="topic"),
        Column("get_kind_display", label=capfirst(_("kind")), sort_key="kind"),
        BooleanColumn("active", label=capfirst(_("active")), sort_key="active"),
        Column("tags", label=capfirst(_("tags")), accessor=_tag_names),
    ]
    list_export = ["bank", "topic", "text", "kind", "active", "explanation"]
    # Search in the database: the listing filters on fields the search index does not hold.
    search_backend_name = None
    search_fields = ["text", "topic"]
    filterset_class = admin_views.QuestionFilterSet
    ordering = ["bank__title", "topic", "pk"]
    list_per_page = 50
    copy_view_enabled = False
    edit_handler = ObjectList(Question.panels, base_form_class=admin_views.QuestionForm)


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.IMPORT_PERMISSION)


class ContestMenu(ViewSetGroup):
    menu_label = _("Contest")
    menu_icon = "tasks"
    menu_order = 260
    submenu_hook = CONTEST_MENU_HOOK
    items = (QuestionBankViewSet, QuestionViewSet)


@hooks.register("register_admin_viewset")
def register_contest_menu():
    return ContestMenu()


@hooks.register(CONTEST_MENU_HOOK)
def question_import_menu_item():
    return ImportMenuItem(_("Import questions"), reverse("quizzes_bank:import"), icon_name="upload", order=900)
