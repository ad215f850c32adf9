from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("CCHC contest")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import home, permissions  # noqa: F401  (home banner hook, organizer page permissions)
