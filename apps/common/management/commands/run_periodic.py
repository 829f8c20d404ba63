"""Run the beat schedule in this process, for `make run` (no broker, no worker, no beat).

Production runs Celery beat with django_celery_beat (Procfile); locally the tasks are eager, so a
loop that calls each scheduled task when it is due is the whole of beat. Hand-written because
beat itself needs a broker to send to."""
import time

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run every CELERY_BEAT_SCHEDULE task in-process when it is due (local use; production uses beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every task once, then exit")
        parser.add_argument("--skip", nargs="*", default=[], metavar="ENTRY",
                            help="schedule entries to leave out (make run has its own indexer loop)")

    def handle(self, *args, once=False, skip=(), **options):
        unknown = set(skip) - set(settings.CELERY_BEAT_SCHEDULE)
        if unknown:
            raise CommandError(f"not in the schedule: {', '.join(sorted(unknown))}")
        current_app.loader.import_default_modules()
        schedule = {name: (entry["task"], entry["schedule"].total_seconds())
                    for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if name not in skip}
        due = dict.fromkeys(schedule, 0.0)
        while True:
            now = time.monotonic()
            for name, (task, every) in schedule.items():
                if now >= due[name]:
                    self._run(name, task)
                    due[name] = now + every
            if once:
                return
            time.sleep(max(0.5, min(due.values()) - time.monotonic()))

    def _run(self, name: str, task: str) -> None:
        started = time.monotonic()
        try:
            current_app.tasks[task].apply().get(propagate=True)
        except Exception as exc:  # one failing task must not stop the others; the next tick retries it
            self.stderr.write(f"{name}: {type(exc).__name__}: {exc}")
            return
        self.stdout.write(f"{name}: ok in {time.monotonic() - started:.2f} s")
