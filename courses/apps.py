from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Training courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses import home  # noqa: F401 - registers the home page hook
        from courses.services.progress import RECENT_VISITS_PREFIX
        from elearning.accounts import usercache

        usercache.ride_along(RECENT_VISITS_PREFIX)  # a learner's recent lesson visits, with their versions
