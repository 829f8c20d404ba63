"""The real URLs (and error handlers) plus views that fail, to see the 500 a visitor or an agent would get."""
from django.urls import path
from rest_framework.views import APIView

from agora.urls import handler400, handler403, handler404, handler500  # noqa: F401  (Django reads them here)
from agora.urls import urlpatterns as real_urlpatterns


def boom(request):
    raise RuntimeError("secret internals: DATABASE_URL=postgres://admin:hunter2@db")


class BoomApi(APIView):
    def get(self, request):
        boom(request)


urlpatterns = [path("boom", boom), path("api/v1/boom", boom), path("api/v1/boom-drf", BoomApi.as_view()),
               *real_urlpatterns]
