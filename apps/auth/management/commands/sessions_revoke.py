from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError

from apps.auth.services import sessions_revoke_bulk
from apps.common.errors import ApplicationError


class Command(BaseCommand):
    help = ("Revoke bearer sessions: every one (--all, which also signs every browser and admin out) or those of "
            "some wallets (--address). A dry run that counts them unless --commit is given.")

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--all", action="store_true", help="every live session, and every browser session")
        who.add_argument("--address", action="append", help="this wallet's sessions (repeatable)")
        parser.add_argument("--reason", required=True, help="recorded with each revoked session")
        parser.add_argument("--commit", action="store_true", help="revoke them (default: only count)")

    def handle(self, *args, **opts):
        try:
            count = sessions_revoke_bulk(addresses=None if opts["all"] else opts["address"], reason=opts["reason"],
                                         actor="manage.py sessions_revoke", commit=opts["commit"])
        except ApplicationError as exc:
            raise CommandError(exc.detail) from None
        browsers = Session.objects.count() if opts["all"] else 0
        if opts["commit"] and opts["all"]:
            Session.objects.all().delete()  # Django's own table: browser sign-ins and admin logins
        verb = "revoked" if opts["commit"] else "would revoke"
        extra = f" and {browsers} browser session(s)" if opts["all"] else ""
        self.stdout.write(f"{verb} {count} bearer session(s){extra}" + ("" if opts["commit"] else "; add --commit"))
