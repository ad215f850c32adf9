"""URLs of the courses app, mounted at the site root (namespace "courses"): the procedure
catalogue under /thu-tuc/, learning under /learn/, certificate verification under
/certificates/ (printed as a QR code on every certificate: keep it stable).

Append new patterns at the end; procedure details take paths starting with a digit only.
"""

from django.urls import path, register_converter

from courses import views_procedures
from courses.converters import ProcedureCodeConverter

app_name = "courses"

register_converter(ProcedureCodeConverter, "procedure_code")

urlpatterns = [
    path("thu-tuc/", views_procedures.procedure_list, name="procedure_list"),
    path("thu-tuc/<procedure_code:code>/", views_procedures.procedure_detail, name="procedure_detail"),
]

# --- Learning: enrolment, progress, knowledge checks, certificates (courses.views) ---
from courses import views  # noqa: E402

urlpatterns += [
    path("learn/", views.my_learning, name="my_learning"),
    path("learn/courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("learn/courses/<int:course_id>/retake/", views.retake, name="retake"),
    path("learn/lessons/<int:lesson_id>/done/", views.complete_lesson, name="complete_lesson"),
    path("learn/lessons/<int:lesson_id>/checks/<slug:block_id>/", views.check, name="check"),
    path("learn/certificates/<slug:code>.pdf", views.certificate_download, name="certificate_download"),
    path("certificates/<slug:code>/", views.certificate_verify, name="certificate_verify"),
]
