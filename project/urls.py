"""Root URLconf: wiring only. Each app owns the routes under its include."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from common.health import healthz, readyz
from common.openapi_views import SwaggerUIView
from common.storage import serve_media

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    # OpenAPI: the schema and Swagger UI (assets from drf-spectacular-sidecar, no CDN).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("accounts.urls")),
    path("api/", include("directory.urls")),
    path("api/", include("realtime.urls")),
    path("api/", include("billing.urls")),
    path("api/", include("moderation.urls")),
    path("", include("frontend.urls")),
]
# Uploaded files (studio photos) from MEDIA_ROOT in DEBUG only; production serves them
# from its storage (S3) or the proxy. `static()` adds nothing when DEBUG is off.
urlpatterns += static(settings.MEDIA_URL, view=serve_media, document_root=settings.MEDIA_ROOT)

handler400 = "common.api.handler400"
handler403 = "common.api.handler403"
handler404 = "common.api.handler404"
handler500 = "common.api.handler500"
