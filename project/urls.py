"""Root URLconf: wiring only. Each app owns the routes under its include."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    # OpenAPI: the schema and Swagger UI (assets from drf-spectacular-sidecar, no CDN).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("directory.urls")),
    path("api/", include("realtime.urls")),
    path("api/", include("billing.urls")),
    path("api/", include("moderation.urls")),
    path("", include("frontend.urls")),
]

handler404 = "common.api.handler404"
handler500 = "common.api.handler500"
