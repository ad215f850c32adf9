from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElearningConfig(AppConfig):
    name = "elearning"
    verbose_name = _("CCHC e-Learning core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elearning import adminaccess, pagecache
        from elearning.accounts import usercache
        from elearning.api import authentication

        pagecache.connect()  # cache invalidation signals and the Wagtail serve hook
        adminaccess.connect()  # who may use the admin, remembered until a permission changes
        authentication.connect()  # API tokens remembered in the cache are revoked on change
        usercache.connect()  # the session user's rows kept per process, versions bumped on change
