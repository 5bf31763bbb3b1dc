"""The OpenAPI pages (apart from common/openapi.py, which the schema class imports while
DRF's settings load: drf-spectacular's views import those settings)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.views import SpectacularSwaggerView


class SwaggerUIView(SpectacularSwaggerView):
    """Swagger UI. Its one renderer is a template, which DRF's OPTIONS body (the view's
    metadata) cannot go through — a 500: OPTIONS answers with the Allow header alone, as
    a plain Django view does."""

    def options(self, request, *args, **kwargs) -> HttpResponse:
        return HttpResponse(headers={"Allow": ", ".join(self.allowed_methods)})
