"""The API documentation pages, served offline (drf-spectacular-sidecar) under the site's CSP.

Swagger UI uses the split view, whose init code is a separate script URL rather than an inline
<script>. Redoc gets a template without Google Fonts or inline script; it writes its styles as <style>
elements and renders the search index in a blob: worker, so those two pages alone allow that.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_CSP = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}


@method_decorator(csp_update(DOCS_CSP), name="get")
class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(csp_update(DOCS_CSP), name="get")
class RedocDocsView(SpectacularRedocView):
    template_name = "api/redoc.html"
