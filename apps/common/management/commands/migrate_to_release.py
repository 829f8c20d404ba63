"""Roll the database schema back to what another release expects (docs/runbook.md, "Roll back a release").

Run it with the NEW release's code, before switching back: only that code has the newer migrations' files, which
Django needs to unapply them. For each of the project's apps, the target is the newest migration the other
release's checkout has; anything applied here beyond it is unapplied (Django takes dependent apps along). Third-
party apps are left alone (their migrations come with the virtualenv). A dry run unless --commit."""
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader


class Command(BaseCommand):
    help = "Unapply the migrations that another release (a checkout of it) does not have. Dry run unless --commit."

    def add_arguments(self, parser):
        parser.add_argument("release", type=Path, help="the other release's checkout, e.g. /srv/agora/releases/PREV")
        parser.add_argument("--commit", action="store_true", help="unapply them (default: list what would change)")

    def handle(self, *args, release: Path, commit: bool, **opts):
        if not (release / "manage.py").exists():
            raise CommandError(f"{release} is not a checkout of the project (no manage.py)")
        loader = MigrationLoader(connection)
        targets = []
        for config in apps.get_app_configs():
            if not config.name.startswith("apps."):
                continue
            module = loader.migrations_module(config.label)[0]
            theirs = {p.stem for p in (release / module.replace(".", "/")).glob("[0-9]*.py")}
            ours_applied = sorted(name for app, name in loader.applied_migrations if app == config.label)
            extra = [name for name in ours_applied if name not in theirs]
            if extra:
                targets.append((config.label, max(theirs) if theirs else "zero", extra))
        if not targets:
            self.stdout.write(f"the schema already matches {release}: nothing to unapply")
            return
        for label, target, extra in targets:
            self.stdout.write(f"{label}: back to {target} (unapplies {', '.join(extra)})")
        if not commit:
            self.stdout.write("dry run: add --commit to unapply them")
            return
        for label, target, _extra in targets:
            call_command("migrate", label, target, interactive=False, verbosity=1, stdout=self.stdout)
        self.stdout.write(f"the schema now matches {release}: switch the code back and restart the processes")
