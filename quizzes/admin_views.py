"""Admin views of the contest's question banks: the question form, listing filters,
and the spreadsheet import (upload -> preview -> confirm -> report) and export.

Nothing is kept on the server between the import steps: the preview page carries
the rows read from the file in a signed field (bound to the organizer and the bank,
valid for an hour), and confirming checks them again against the bank before writing.
"""

import django_filters
from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from taggit.models import Tag
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from elearning.spreadsheets import SpreadsheetError, workbook_response
from quizzes.imports.questions import (
    COLUMNS,
    HEADERS,
    KIND_NAMES,
    REQUIRED_COLUMNS,
    check_rows,
    export_rows,
    import_rows,
    read_question_rows,
)
from quizzes.models import Choice, Question, QuestionBank, QuestionKind

IMPORT_PERMISSION = "quizzes.add_question"
EXPORT_PERMISSION = "quizzes.view_question"
ROWS_SALT = "quizzes.question-import.rows"
ROWS_MAX_AGE = 60 * 60
PREVIEW_LIMIT = 500


# --- Question form and filters ----------------------------------------------------------


class QuestionForm(WagtailAdminModelForm):
    """The question with its inline choices, checked together (Question.validate_choices)."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("choices")
        if formset is None:
            return cleaned
        if not all(form.is_valid() for form in formset.forms):
            return cleaned  # the choice forms show their own errors first
        choices = [
            Choice(text=form.cleaned_data.get("text", ""), correct=form.cleaned_data.get("correct", False))
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        question = Question(kind=cleaned.get("kind") or QuestionKind.SINGLE)
        try:
            question.validate_choices(choices)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class QuestionFilterSet(WagtailFilterSet):
    bank = django_filters.ModelChoiceFilter(label=gettext_lazy("bank"), queryset=QuestionBank.objects.all())
    topic = django_filters.ChoiceFilter(label=gettext_lazy("topic"), choices=[], empty_label=gettext_lazy("All"))
    tag = django_filters.ModelChoiceFilter(
        label=gettext_lazy("tag"),
        field_name="tagged_items__tag",
        queryset=lambda request: (
            Tag.objects.filter(quizzes_questiontag_items__isnull=False).distinct().order_by("name")
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("kind"), choices=QuestionKind.choices, empty_label=gettext_lazy("All")
    )
    active = django_filters.BooleanFilter(label=gettext_lazy("active"))

    class Meta:
        model = Question
        fields = ["bank", "topic", "tag", "kind", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics = Question.objects.exclude(topic="").order_by("topic").values_list("topic", flat=True).distinct()
        self.filters["topic"].extra["choices"] = [(topic, topic) for topic in topics]


# --- Import and export ------------------------------------------------------------------


class UploadForm(forms.Form):
    bank = forms.ModelChoiceField(label=gettext_lazy("Question bank"), queryset=QuestionBank.objects.all())
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class ConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)


def sign_rows(user, bank, raw_rows, filename):
    return signing.dumps(
        {"user": user.pk, "bank": bank.pk, "rows": raw_rows, "name": filename}, salt=ROWS_SALT, compress=True
    )


def unsign_rows(user, payload):
    """``(bank_id, rows, filename)``, or None when forged, expired or signed for someone else."""
    try:
        value = signing.loads(payload, salt=ROWS_SALT, max_age=ROWS_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(value, dict) or value.get("user") != user.pk:
        return None
    return value.get("bank"), [(number, values) for number, values in value.get("rows", [])], value.get("name", "")


class QuestionImportMixin(WagtailAdminTemplateMixin):
    page_title = gettext_lazy("Import questions")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("quizzes_bank:index"), "label": _("Question banks")},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, template, status=200, **context):
        response = TemplateResponse(
            self.request, f"quizzes/admin/{template}", self.get_context_data(**context), status=status
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def render_upload(self, form, status=200, error=None):
        return self.render(
            "question_import.html",
            status=status,
            form=form,
            error=error,
            columns=[(name, sorted(COLUMNS[name]), name in REQUIRED_COLUMNS) for name in COLUMNS],
            kinds=[(QuestionKind(kind).label, sorted(names)) for kind, names in KIND_NAMES.items()],
        )

    def render_preview(self, report, bank, *, raw_rows=None, filename="", status=200):
        confirm_form = None
        if report.ok and raw_rows is not None:
            confirm_form = ConfirmForm(initial={"payload": sign_rows(self.request.user, bank, raw_rows, filename)})
        shown = report.bad_rows if report.bad_rows else report.rows[:PREVIEW_LIMIT]
        return self.render(
            "question_import_preview.html",
            status=status,
            bank=bank,
            filename=filename,
            report=report,
            shown_rows=[(row, QuestionKind(row.kind).label) for row in shown],
            hidden_count=len(report.rows) - len(shown) if report.ok else 0,
            confirm_form=confirm_form,
            upload_form=UploadForm(initial={"bank": bank.pk}),
        )


class QuestionImportView(QuestionImportMixin, View):
    """Step 1 (GET): the upload form. Step 2 (POST): read and check the file, show the preview."""

    def get(self, request):
        return self.render_upload(UploadForm(initial={"bank": request.GET.get("bank")}))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_upload(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            raw_rows = read_question_rows(upload)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            return self.render_upload(form, status=400)
        bank = form.cleaned_data["bank"]
        report = check_rows(raw_rows, bank)
        return self.render_preview(report, bank, raw_rows=raw_rows, filename=upload.name)


class QuestionImportConfirmView(QuestionImportMixin, View):
    """Step 3 (POST): check the rows again and import them all, or none; show the report."""

    def post(self, request):
        form = ConfirmForm(request.POST)
        signed = unsign_rows(request.user, form.data.get("payload", "")) if form.is_valid() else None
        bank = QuestionBank.objects.filter(pk=signed[0]).first() if signed else None
        if bank is None:
            return self.render_upload(
                UploadForm(), status=400, error=_("This preview has expired or is not valid. Upload the file again.")
            )
        _bank_id, raw_rows, filename = signed
        report = import_rows(raw_rows, bank)
        if not report.ok:
            return self.render_preview(report, bank, filename=filename, status=409)
        return self.render("question_import_result.html", bank=bank, report=report, filename=filename)


class QuestionBankExportView(View):
    """The bank's active questions as .xlsx, in the format the import reads."""

    def get(self, request, pk):
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        bank = get_object_or_404(QuestionBank, pk=pk)
        return workbook_response(f"{bank.slug}.xlsx", HEADERS, export_rows(bank), sheet_title=bank.slug)
