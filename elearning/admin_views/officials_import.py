"""Officials import in the Wagtail admin: upload -> preview -> confirm -> result.

Nothing is kept on the server between the steps. The preview page carries the
rows read from the file in a signed field (bound to the organizer, valid for an
hour), and confirming validates them again against the database before writing.
The result page shows each new account's one-time password once; it carries
the same credentials, signed and valid for a short while, so the organizer can
download them as a spreadsheet right after the import and never later.
"""

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from elearning.imports.officials import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportRefused,
    Mode,
    credential_headers,
    credential_rows,
    import_officials,
    read_officials,
    set_password_links_available,
    validate_rows,
)
from elearning.spreadsheets import SpreadsheetError, workbook_response

PERMISSION = "elearning.add_profile"
ROWS_SALT = "elearning.officials-import.rows"
CREDENTIALS_SALT = "elearning.officials-import.credentials"
ROWS_MAX_AGE = 60 * 60
CREDENTIALS_MAX_AGE = 30 * 60
PREVIEW_LIMIT = 500


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How the officials get in"),
        choices=Mode.choices,
        initial=Mode.PASSWORD,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not set_password_links_available():
            self.fields["mode"].choices = [(Mode.PASSWORD.value, Mode.PASSWORD.label)]


class ConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.HiddenInput)


class CredentialsForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)


def sign_for(user, salt, data):
    return signing.dumps({"user": user.pk, "data": data}, salt=salt, compress=True)


def unsign_for(user, salt, payload, max_age):
    """The signed data, or None when forged, expired or signed for someone else."""
    try:
        value = signing.loads(payload, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(value, dict) or value.get("user") != user.pk:
        return None
    return value.get("data")


class OfficialsImportMixin(WagtailAdminTemplateMixin):
    page_title = gettext_lazy("Import officials")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("elearning_profile:index"), "label": _("Profiles")},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, template, status=200, **context):
        response = TemplateResponse(
            self.request, f"elearning/admin/{template}", self.get_context_data(**context), status=status
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def render_upload(self, form, status=200, error=None):
        return self.render(
            "officials_import.html",
            status=status,
            form=form,
            error=error,
            columns=[(name, sorted(COLUMNS[name]), name in REQUIRED_COLUMNS) for name in COLUMNS],
        )

    def render_preview(self, report, mode, *, raw_rows=None, status=200):
        confirm_form = None
        if report.ok and raw_rows is not None:
            confirm_form = ConfirmForm(
                initial={"payload": sign_for(self.request.user, ROWS_SALT, raw_rows), "mode": mode}
            )
        shown = report.bad_rows if report.bad_rows else report.rows[:PREVIEW_LIMIT]
        return self.render(
            "officials_import_preview.html",
            status=status,
            report=report,
            shown_rows=shown,
            hidden_count=len(report.rows) - len(shown) if report.ok else 0,
            mode_label=Mode(mode).label,
            confirm_form=confirm_form,
            upload_form=UploadForm(initial={"mode": mode}),
        )


class OfficialsImportView(OfficialsImportMixin, View):
    """Step 1 (GET): the upload form. Step 2 (POST): read and check the file, show the preview."""

    def get(self, request):
        return self.render_upload(UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_upload(form, status=400)
        try:
            raw_rows = read_officials(form.cleaned_data["file"])
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            return self.render_upload(form, status=400)
        report = validate_rows(raw_rows)
        return self.render_preview(report, form.cleaned_data["mode"], raw_rows=raw_rows)


class OfficialsImportConfirmView(OfficialsImportMixin, View):
    """Step 3 (POST): check the rows again and import them; show the result."""

    def post(self, request):
        form = ConfirmForm(request.POST)
        raw_rows = None
        if form.is_valid():
            raw_rows = unsign_for(request.user, ROWS_SALT, form.cleaned_data["payload"], ROWS_MAX_AGE)
        if raw_rows is None:
            return self.render_upload(
                UploadForm(), status=400, error=_("This preview has expired or is not valid. Upload the file again.")
            )

        mode = form.cleaned_data["mode"]
        rows = [(row_number, values) for row_number, values in raw_rows]
        try:
            report, credentials = import_officials(rows, mode=mode, base_url=request.build_absolute_uri("/"))
        except ImportRefused as refused:
            return self.render_preview(refused.report, mode, status=409)

        download_form = CredentialsForm(
            initial={"payload": sign_for(request.user, CREDENTIALS_SALT, credential_rows(credentials))}
        )
        return self.render(
            "officials_import_result.html",
            credentials=credentials,
            mode=mode,
            passwords=mode == Mode.PASSWORD,
            download_form=download_form,
        )


class OfficialsImportCredentialsView(OfficialsImportMixin, View):
    """The credentials just created, as .xlsx; only from the result page, only for a short while."""

    def post(self, request):
        form = CredentialsForm(request.POST)
        rows = None
        if form.is_valid():
            rows = unsign_for(request.user, CREDENTIALS_SALT, form.cleaned_data["payload"], CREDENTIALS_MAX_AGE)
        if rows is None:
            return self.render_upload(
                UploadForm(),
                status=410,
                error=_("The credentials can only be downloaded right after the import; this link has expired."),
            )
        return workbook_response("tai-khoan-can-bo.xlsx", credential_headers(), rows, sheet_title=_("Accounts"))
