"""Public pages of the procedure catalogue (*thủ tục hành chính*): a filtered list and a detail page."""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from courses.models import OnlineServiceLevel, Procedure, ProcedureField, ProcedureLevel
from elearning.pagecache import cache_public_view

PER_PAGE = 20


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    field = forms.ChoiceField(
        label=pgettext_lazy("procedure", "Field"),
        required=False,
        choices=[("", _("All fields")), *ProcedureField.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *ProcedureLevel.choices]
    )
    online_level = forms.TypedChoiceField(
        label=_("Online service level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any level")), *OnlineServiceLevel.choices],
    )
    postal = forms.BooleanField(label=_("Result returned by post"), required=False)

    def has_filters(self):
        return any(value not in (None, "", False) for value in self.cleaned_data.values())

    def filter(self, procedures):
        data = self.cleaned_data
        procedures = procedures.search(data["q"].strip())
        if data["field"]:
            procedures = procedures.filter(field=data["field"])
        if data["level"]:
            procedures = procedures.filter(level=data["level"])
        if data["online_level"]:
            procedures = procedures.filter(online_level=data["online_level"])
        if data["postal"]:
            procedures = procedures.filter(postal_return=True)
        return procedures


@require_safe
@cache_public_view
def procedure_list(request):
    form = ProcedureFilterForm(request.GET or None)
    procedures = Procedure.objects.order_by("field", "code")
    is_filtered = False
    if form.is_bound:
        if form.is_valid():
            procedures = form.filter(procedures)
            is_filtered = form.has_filters()
        else:
            procedures = procedures.none()  # the form shows what is wrong
    paginator = Paginator(procedures.with_details(), PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(
        request,
        "courses/procedure_list.html",
        {"form": form, "procedures": page, "is_filtered": is_filtered},
    )


@require_safe
@cache_public_view
def procedure_detail(request, code):
    procedure = get_object_or_404(Procedure.objects.prefetch_related("tags"), code=code)
    legal_basis = list(procedure.legal_basis.select_related("replaced_by").order_by("-issued_on", "number"))
    return render(request, "courses/procedure_detail.html", {"procedure": procedure, "legal_basis": legal_basis})
