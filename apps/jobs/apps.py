from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class JobsConfig(AppConfig):
    name = "apps.jobs"
    verbose_name = "Topics"

    def ready(self):
        # Imported here, not at the top: models and what uses them load only once the app registry is ready.
        from . import list_cache
        from .models import Job, JobReceipt

        # Every change to what a list page shows goes through a model save or delete (the
        # services never use QuerySet.update on these two), so the signals are the one hook.
        for model in (Job, JobReceipt):
            for signal in (post_save, post_delete):
                signal.connect(list_cache.on_topic_change, sender=model,
                               dispatch_uid=f"list_cache.{model.__name__}.{signal is post_save}")
