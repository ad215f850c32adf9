from .pages import CourseIndexPage, CourseLevel, CoursePage, CoursePageTag, LessonPage, LessonPageTag
from .procedures import (
    OnlineServiceLevel,
    Procedure,
    ProcedureField,
    ProcedureLevel,
    ProcedureMechanism,
    ProcedureTag,
)
from .progress import Certificate, Enrolment, LessonProgress, generate_certificate_code

__all__ = [
    "Certificate",
    "CourseIndexPage",
    "CourseLevel",
    "CoursePage",
    "CoursePageTag",
    "Enrolment",
    "LessonPage",
    "LessonPageTag",
    "LessonProgress",
    "OnlineServiceLevel",
    "Procedure",
    "ProcedureField",
    "ProcedureLevel",
    "ProcedureMechanism",
    "ProcedureTag",
    "generate_certificate_code",
]
