"""manage.py backup PATH: a consistent copy of the database, taken while the app keeps running."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup
from core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Copy the database to PATH while the app keeps writing: SQLite's online backup API, or "
        "pg_dump (custom format) on PostgreSQL. The file is complete or absent, never partial."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to write")

    def handle(self, *args, path: Path, **options):
        try:
            result = backup.backup(path)
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"Backed up the {result.engine} database to {result.path} ({result.size} bytes)."
        )
