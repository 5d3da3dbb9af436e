from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home.views import errors

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", errors.healthz, name="healthz"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages carry their language in the path (/zh-hans/..., /en/...); a bare path is redirected
# to the browser's language.
urlpatterns += i18n_patterns(
    path("", include("newsletter.urls")),
    path("", include("training.urls")),
    path("", include("care.urls")),
    path("", include("home.urls")),
    path("", include(wagtail_urls)),
)

handler404 = "home.views.errors.page_not_found"
handler500 = "home.views.errors.server_error"
