"""Admin views of the courses app: the outdated-citation report.

Lists every course, lesson, procedure and contest question that cites a legal
document no longer in force, with the document that replaced it when known —
content for the editors to review. ``quizzes`` is read through the app registry
only (``courses`` must not import it).
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy

from courses.models import CoursePage, LessonPage, Procedure
from elearning.models import LegalDocument

REPORT_PERMISSION = "courses.change_procedure"


@dataclass
class OutdatedCitation:
    kind: str
    title: str
    document: LegalDocument
    obj: object = None
    edit_url: str = ""

    @property
    def replacement(self):
        return self.document.replaced_by

    @property
    def document_number(self):
        return self.document.number

    @property
    def replacement_number(self):
        return self.document.replaced_by.number if self.document.replaced_by_id else ""

    @property
    def effective_to(self):
        return self.document.effective_to


def outdated_citations():
    """Every (content, outdated document) pair: courses, lessons, procedures, then questions."""
    outdated = LegalDocument.objects.not_in_force().select_related("replaced_by").order_by("number")
    rows = []

    def cited(queryset, relation, kind, title=str):
        items = (
            queryset.filter(**{f"{relation}__in": outdated.values("pk")})
            .distinct()
            .prefetch_related(Prefetch(relation, queryset=outdated, to_attr="outdated_documents"))
        )
        for item in items:
            rows.extend(OutdatedCitation(kind, title(item), document, item) for document in item.outdated_documents)

    cited(CoursePage.objects.order_by("path"), "legal_documents", _("Course"), title=lambda page: page.title)
    cited(LessonPage.objects.order_by("path"), "legal_documents", _("Lesson"), title=lambda page: page.title)
    cited(Procedure.objects.order_by("code"), "legal_basis", _("Procedure"))

    Question = apps.get_model("quizzes", "Question")
    questions = (
        Question.objects.filter(legal_document__in=outdated.values("pk"))
        .select_related("legal_document__replaced_by")
        .order_by("pk")
    )
    rows.extend(
        OutdatedCitation(_("Contest question"), str(question), question.legal_document, question)
        for question in questions
    )
    return rows


def can_view_report(user):
    return user.has_perm(REPORT_PERMISSION) or PagePermissionPolicy().user_has_any_permission(
        user, ["change", "publish"]
    )


class OutdatedCitationsReportView(ReportView):
    page_title = _("Outdated legal citations")
    header_icon = "warning"
    index_url_name = "courses_outdated_citations"
    index_results_url_name = "courses_outdated_citations_results"
    paginate_by = 50
    columns = [
        TitleColumn("title", label=_("Content"), get_url=lambda row: row.edit_url),
        Column("kind", label=_("Type")),
        Column("document_number", label=_("Document cited")),
        DateColumn("effective_to", label=_("In force until")),
        Column("replacement_number", label=_("Replaced by")),
    ]
    list_export = ["kind", "title", "document_number", "effective_to", "replacement_number"]
    export_headings = {
        "kind": _("Type"),
        "title": _("Content"),
        "document_number": _("Document cited"),
        "effective_to": _("In force until"),
        "replacement_number": _("Replaced by"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_view_report(request.user):
            from wagtail.admin.auth import permission_denied

            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return "outdated-legal-citations"

    def get_queryset(self):
        rows = outdated_citations()
        finder = AdminURLFinder(self.request.user)
        for row in rows:
            row.edit_url = finder.get_edit_url(row.obj) or ""
        return rows
