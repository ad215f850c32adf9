"""URLs of the courses app, mounted at /thu-tuc/ (namespace "courses").

Append new patterns at the end; procedure details take paths starting with a digit only.
"""

from django.urls import path, register_converter

from courses import views_procedures
from courses.converters import ProcedureCodeConverter

app_name = "courses"

register_converter(ProcedureCodeConverter, "procedure_code")

urlpatterns = [
    path("", views_procedures.procedure_list, name="procedure_list"),
    path("<procedure_code:code>/", views_procedures.procedure_detail, name="procedure_detail"),
]
