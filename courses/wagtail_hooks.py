"""Admin screens of the courses app: the procedure catalogue (a snippet, so lessons get
a chooser for procedure cards) and the outdated-citation report under "Reports"."""

import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.admin_views import OutdatedCitationsReportView, can_view_report
from courses.models import OnlineServiceLevel, Procedure, ProcedureField, ProcedureLevel, ProcedureMechanism
from elearning.admin_views.exports import SafeExportMixin


class ProcedureFilterSet(WagtailFilterSet):
    field = django_filters.ChoiceFilter(label=_("field"), choices=ProcedureField.choices, empty_label=_("All"))
    level = django_filters.ChoiceFilter(label=_("level"), choices=ProcedureLevel.choices, empty_label=_("All"))
    mechanism = django_filters.ChoiceFilter(
        label=_("mechanism"), choices=ProcedureMechanism.choices, empty_label=_("All")
    )
    online_level = django_filters.ChoiceFilter(
        label=_("online service level"), choices=OnlineServiceLevel.choices, empty_label=_("All")
    )
    postal_return = django_filters.BooleanFilter(label=_("result returned by post"))

    class Meta:
        model = Procedure
        fields = ["field", "level", "mechanism", "online_level", "postal_return"]


class ProcedureIndexView(SafeExportMixin, SnippetIndexView):
    """Searches the diacritic-free text, so "khai sinh" and "khai sinh" with marks both find it."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.search(self.search_query)


class ProcedureViewSet(SnippetViewSet):
    model = Procedure
    icon = "clipboard-list"
    menu_label = _("Procedures")
    menu_name = "procedures"
    menu_order = 290
    add_to_admin_menu = True
    index_view_class = ProcedureIndexView
    list_display = [
        "code",
        "name",
        Column("field", label=_("field"), accessor="get_field_display", sort_key="field"),
        Column("level", label=_("level"), accessor="get_level_display", sort_key="level"),
        Column("online_level", label=_("online"), sort_key="online_level"),
        UpdatedAtColumn(),
    ]
    list_export = [
        "code",
        "name",
        "get_field_display",
        "get_level_display",
        "get_mechanism_display",
        "processing_days",
        "fee",
        "online_level",
        "postal_return",
    ]
    export_headings = {
        "get_field_display": _("field"),
        "get_level_display": _("level"),
        "get_mechanism_display": _("mechanism"),
    }
    search_fields = ["search_text"]
    search_backend_name = None
    filterset_class = ProcedureFilterSet
    ordering = ["field", "code"]
    list_per_page = 50
    copy_view_enabled = False


register_snippet(ProcedureViewSet)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "reports/outdated-citations/",
            OutdatedCitationsReportView.as_view(),
            name="courses_outdated_citations",
        ),
        path(
            "reports/outdated-citations/results/",
            OutdatedCitationsReportView.as_view(results_only=True),
            name="courses_outdated_citations_results",
        ),
    ]


class OutdatedCitationsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_report(request.user)


@hooks.register("register_reports_menu_item")
def register_outdated_citations_menu_item():
    return OutdatedCitationsMenuItem(
        _("Outdated legal citations"),
        reverse("courses_outdated_citations"),
        name="outdated-citations",
        icon_name="warning",
        order=1000,
    )


from courses import wagtail_hooks_reports  # noqa: E402, F401 - the learning feature registers its hooks there
