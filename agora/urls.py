from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularYAMLAPIView

from agora import discovery
from agora.health import healthz, readyz
from agora.metrics_view import metrics

handler400 = "agora.errors.bad_request"
handler403 = "agora.errors.permission_denied"
handler404 = "agora.errors.page_not_found"
handler500 = "agora.errors.server_error"

urlpatterns = [
    path("api/v1/", include("agora.api_urls")),  # first: most requests are API calls
    path("healthz", healthz),
    path("readyz", readyz),
    path("llms.txt", discovery.llms_txt),
    path("openapi.yaml", SpectacularYAMLAPIView.as_view(), name="openapi-yaml"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-json"),
    path(".well-known/ai-plugin.json", discovery.ai_plugin),
    path(".well-known/agent.json", discovery.agent_manifest),
    path("agora-agent-manifest.json", discovery.agent_manifest),
    path("admin/", admin.site.urls),
    path("metrics", metrics, name="prometheus-django-metrics"),
    path("", include("agora.page_urls")),
]
