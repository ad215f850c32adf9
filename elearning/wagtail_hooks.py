"""Admin screens of the core, in one menu "People and units": units, unit kinds,
profiles, legal documents (a snippet, so courses and quizzes get a chooser for
it) and the officials import. Organizers hold the permissions (see the roles
data migration); other roles do not see the menu."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from elearning.admin_views import officials_import
from elearning.admin_views.exports import SafeExportMixin
from elearning.admin_views.filters import LegalDocumentFilterSet, ProfileFilterSet, UnitFilterSet
from elearning.admin_views.profiles import ProfileCreateForm, ProfileCreateView, ProfileEditForm
from elearning.models import LegalDocument, Profile, Unit, UnitKind

PEOPLE_MENU_HOOK = "register_elearning_people_menu_item"


class UnitIndexView(SafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("kind", "parent")


class UnitViewSet(ModelViewSet):
    model = Unit
    name = "elearning_unit"
    url_prefix = "people/units"
    icon = "site"
    menu_label = _("Units")
    index_view_class = UnitIndexView
    list_display = [
        "name",
        "code",
        "kind",
        Column("parent", label=_("parent unit"), sort_key="parent__name"),
        Column("headcount", label=_("headcount"), sort_key="headcount"),
        DateColumn("valid_from", label=_("valid from"), sort_key="valid_from"),
        DateColumn("valid_to", label=_("valid to"), sort_key="valid_to"),
    ]
    list_export = ["code", "name", "kind", "parent", "headcount", "valid_from", "valid_to"]
    search_fields = ["name", "code"]
    filterset_class = UnitFilterSet
    ordering = ["name"]
    list_per_page = 50
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("parent")]),
        FieldPanel("headcount"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")])], heading=_("Validity")),
    ]


class UnitKindViewSet(ModelViewSet):
    model = UnitKind
    name = "elearning_unitkind"
    url_prefix = "people/unit-kinds"
    icon = "tag"
    menu_label = _("Unit kinds")
    list_display = ["name", "code", Column("order", label=_("order"), sort_key="order")]
    search_fields = ["name", "code"]
    ordering = ["order", "name"]
    copy_view_enabled = False
    form_fields = ["name", "code", "order"]


class ProfileIndexView(SafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit", "user")

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(officials_import.PERMISSION):
            buttons.append(
                HeaderButton(_("Import officials"), url=reverse("elearning_officials_import"), icon_name="upload")
            )
        return buttons


class ProfileViewSet(ModelViewSet):
    model = Profile
    name = "elearning_profile"
    url_prefix = "people/profiles"
    icon = "user"
    menu_label = _("Profiles")
    index_view_class = ProfileIndexView
    add_view_class = ProfileCreateView
    list_display = ["full_name", "phone", "unit", "kind", "position"]
    list_export = ["full_name", "phone", "unit", "get_kind_display", "position", "birth_year"]
    export_headings = {"get_kind_display": _("kind")}
    search_fields = ["full_name", "phone"]
    filterset_class = ProfileFilterSet
    ordering = ["full_name"]
    list_per_page = 50
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return ProfileEditForm if for_update else ProfileCreateForm


class LegalDocumentIndexView(SnippetIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("replaced_by")


class LegalDocumentViewSet(SnippetViewSet):
    model = LegalDocument
    icon = "doc-full"
    menu_label = _("Legal documents")
    index_view_class = LegalDocumentIndexView
    list_display = [
        "number",
        "title",
        "kind",
        DateColumn("issued_on", label=_("issued on"), sort_key="issued_on"),
        DateColumn("effective_to", label=_("effective to"), sort_key="effective_to"),
        Column("replaced_by", label=_("replaced by")),
    ]
    search_fields = ["number", "title"]
    filterset_class = LegalDocumentFilterSet
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("kind")]),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("issuer"), FieldPanel("issued_on")]),
        FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_to")]),
        FieldPanel("replaced_by"),
    ]


class OfficialsImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(officials_import.PERMISSION)


class PeopleAndUnitsGroup(SnippetViewSetGroup):
    menu_label = _("People and units")
    menu_icon = "group"
    menu_order = 250
    submenu_hook = PEOPLE_MENU_HOOK
    items = (UnitViewSet, UnitKindViewSet, ProfileViewSet, LegalDocumentViewSet)


register_snippet(PeopleAndUnitsGroup)


@hooks.register(PEOPLE_MENU_HOOK)
def officials_import_menu_item():
    return OfficialsImportMenuItem(
        _("Import officials"), reverse("elearning_officials_import"), icon_name="upload", order=900
    )


@hooks.register("register_admin_urls")
def officials_import_urls():
    return [
        path(
            "people/officials-import/",
            officials_import.OfficialsImportView.as_view(),
            name="elearning_officials_import",
        ),
        path(
            "people/officials-import/confirm/",
            officials_import.OfficialsImportConfirmView.as_view(),
            name="elearning_officials_import_confirm",
        ),
        path(
            "people/officials-import/credentials/",
            officials_import.OfficialsImportCredentialsView.as_view(),
            name="elearning_officials_import_credentials",
        ),
    ]
