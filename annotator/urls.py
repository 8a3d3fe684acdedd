"""URL map of the annotator app: health checks, the API and the reviewer web UI."""

from django.urls import include, path

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/", include("annotator.api.urls")),
    path("fact-checks/", include("annotator.factchecks.urls")),
    path("", include("annotator.web.urls")),
]
