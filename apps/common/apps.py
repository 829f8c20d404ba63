from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"

    def ready(self):
        # Every process (gunicorn, Celery, manage.py) sets Django up, so this runs before any request.
        from .recursion import restore_default_recursion_limit

        restore_default_recursion_limit()
