from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Training courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses import home  # noqa: F401 - registers the home page hook
