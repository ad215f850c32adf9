from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("CCHC contest")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import admin_results, audit, home, permissions  # noqa: F401  (results admin, audit log actions, home banner, page permissions)
