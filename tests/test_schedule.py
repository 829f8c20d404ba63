"""The beat schedule reaches beat: django-celery-beat's database scheduler copies CELERY_BEAT_SCHEDULE into
its tables at start, and only what is there runs. (Without the setting, beat ran nothing at all.)"""
import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from agora.celery import app

pytestmark = pytest.mark.django_db(transaction=True)  # the scheduler closes its connection


def test_beat_loads_every_entry_with_its_interval_and_expiry(settings):
    DatabaseScheduler(app=app)  # what `celery -A agora beat` builds at start
    rows = {t.name: t for t in PeriodicTask.objects.filter(name__in=settings.CELERY_BEAT_SCHEDULE)}
    assert set(rows) == set(settings.CELERY_BEAT_SCHEDULE)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert rows[name].task == entry["task"] and rows[name].enabled
        assert rows[name].interval.every * {"seconds": 1, "hours": 3600}[rows[name].interval.period] == \
            entry["schedule"].total_seconds()
        assert entry["options"]["expires"] > 0
    index = settings.CELERY_BEAT_SCHEDULE["onchain-index-streams"]["schedule"].total_seconds()
    # a failing provider is probed on every tick, so the indexer notices its recovery within one tick
    assert settings.AGORA_ONCHAIN_BACKOFF_CAP_SECONDS < index
