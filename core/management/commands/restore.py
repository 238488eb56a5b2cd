"""manage.py restore PATH: replace the database's contents with a backup. Stop the app first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup
from core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup at PATH (made by `manage.py "
        "backup` on the same kind of database). Stop the app and its workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to restore")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args, path: Path, interactive: bool = True, **options):
        if interactive:
            answer = input(f"Replace the whole database with {path}? Type 'yes' to go on: ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            result = backup.restore(path)
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"Restored the {result.engine} database from {result.path}.")
