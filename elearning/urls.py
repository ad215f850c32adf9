from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from elearning.api.errors import not_found_json
from elearning.security import admin_logout_view

urlpatterns = [
    # The API first: its requests are the most frequent, and resolving walks the list in order.
    path("api/v1/", include("quizzes.api.urls")),
    path("api/v1/", include("elearning.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/logout/", admin_logout_view(), name="wagtailadmin_logout"),  # POST only (elearning.security)
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("elearning.accounts.urls")),
    path("contest/", include("quizzes.urls")),
    path("", include("courses.urls")),  # /thu-tuc/, /learn/, /certificates/
    path("i18n/setlang/", set_language, name="set_language"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    re_path(r"^api/", not_found_json),  # an unknown API path: JSON 404, not the site's HTML page
    path("", include(wagtail_urls)),
]
