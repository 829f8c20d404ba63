"""Install pg_trgm and the search's trigram index after the fact (e.g. once a DBA has allowed it)."""
from django.core.management.base import BaseCommand, CommandError

from apps.discussion.trigram import trigram_install


class Command(BaseCommand):
    help = "Create the pg_trgm extension and the trigram index short search queries use (idempotent)."

    def handle(self, *args, **options):
        if not trigram_install():
            raise CommandError("pg_trgm could not be installed: ask a database owner to run "
                               "CREATE EXTENSION pg_trgm, then run this command again")
        self.stdout.write("pg_trgm and the trigram index are in place.")
