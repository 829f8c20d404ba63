"""django-celery-beat's periodic-task admin, with permissions on its actions.

Its enable / disable / toggle / run actions declare none, so any staff user who can view the task
list could switch the indexer off or run tasks at will. Here each needs the change permission on
periodic tasks, like editing the row would.
"""
from django.contrib import admin
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask


def _needs_change(action):
    def wrapped(model_admin, request, queryset):
        return action(model_admin, request, queryset)

    return admin.action(description=action.short_description, permissions=["change"])(wrapped)


class GuardedPeriodicTaskAdmin(PeriodicTaskAdmin):
    enable_tasks = _needs_change(PeriodicTaskAdmin.enable_tasks)
    disable_tasks = _needs_change(PeriodicTaskAdmin.disable_tasks)
    toggle_tasks = _needs_change(PeriodicTaskAdmin.toggle_tasks)
    run_tasks = _needs_change(PeriodicTaskAdmin.run_tasks)


def guard_periodic_task_admin(site) -> None:
    if site.is_registered(PeriodicTask):
        site.unregister(PeriodicTask)
    site.register(PeriodicTask, GuardedPeriodicTaskAdmin)
