"""Filter sets of the "People and units" admin listings."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from elearning.models import LegalDocument, Profile, Unit, UnitKind

OPEN, CLOSED = "open", "closed"
YES, NO = "yes", "no"


class UnitFilterSet(WagtailFilterSet):
    kind = django_filters.ModelChoiceFilter(label=_("kind"), queryset=UnitKind.objects.all())
    parent = django_filters.ModelChoiceFilter(
        label=_("parent unit"),
        queryset=lambda request: Unit.objects.filter(children__isnull=False).distinct().order_by("name"),
    )
    status = django_filters.ChoiceFilter(
        label=_("status"),
        choices=[(OPEN, _("Open today")), (CLOSED, _("Closed or not yet open"))],
        method="filter_status",
        empty_label=_("All"),
    )

    class Meta:
        model = Unit
        fields = ["kind", "parent", "status"]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.open_now()
        if value == CLOSED:
            return queryset.exclude(pk__in=Unit.objects.open_now().values("pk"))
        return queryset


class ProfileFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("unit"), queryset=lambda request: Unit.objects.order_by("name"))
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Profile.Kind.choices, empty_label=_("All"))

    class Meta:
        model = Profile
        fields = ["unit", "kind"]


class LegalDocumentFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=LegalDocument.Kind.choices, empty_label=_("All"))
    in_force = django_filters.ChoiceFilter(
        label=_("in force"),
        choices=[(YES, _("In force today")), (NO, _("Not in force"))],
        method="filter_in_force",
        empty_label=_("All"),
    )

    class Meta:
        model = LegalDocument
        fields = ["kind", "in_force"]

    def filter_in_force(self, queryset, name, value):
        if value == YES:
            return queryset.in_force()
        if value == NO:
            return queryset.not_in_force()
        return queryset
