"""The project's URLs plus two views that crash, to test the real handler500 on API and portal paths."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def crash(request):
    raise RuntimeError("a view that crashes, for the test")


urlpatterns = [path("api/v1/crash/", crash), path("crash/", crash), *project_urlpatterns]
