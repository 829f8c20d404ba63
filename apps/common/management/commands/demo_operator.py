"""A demo login for /admin/, made once with a random password that is printed once (`make run`)."""
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.common.services import audit_record

USERNAME = "demo-operator"


class Command(BaseCommand):
    help = "Create the demo stage's operator login (superuser) and print its password once."

    def handle(self, *args, **options):
        if settings.AGORA_SERVICE_STAGE != "demo":
            raise CommandError("demo_operator only runs at the demo stage (AGORA_SERVICE_STAGE=demo)")
        users = get_user_model().objects
        if users.filter(username=USERNAME).exists():
            self.stdout.write(f"{USERNAME} (password printed when it was made; "
                              f"new one: manage.py changepassword {USERNAME})")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            users.create_superuser(USERNAME, password=password)
            audit_record(actor="make run", action="demo_operator_created", subject=USERNAME)
        self.stdout.write(f"{USERNAME} / {password}  (shown once)")
