"""The real URLs plus one view that fails, to see the 500 page a visitor would get."""
from django.urls import path

from agora.urls import urlpatterns as real_urlpatterns


def boom(request):
    raise RuntimeError("secret internals: DATABASE_URL=postgres://admin:hunter2@db")


urlpatterns = [path("boom", boom), *real_urlpatterns]
