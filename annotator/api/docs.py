"""The API's reference pages, under the site's Content Security Policy.

Swagger UI is served from same-origin files only (drf-spectacular-sidecar) with its page style
in a static file. Redoc is not offered: its bundle injects style elements before it can be
given a nonce, and it always loads a logo from a third-party host, so it cannot run under this
CSP without weakening it. ``/api/redoc/`` sends readers to Swagger UI, which shows the same
schema.
"""

from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


class RedocMovedView(RedirectView):
    pattern_name = "api-docs"
    permanent = True
