"""manage.py publish_quarter 2026-Q3 [--village ID | --township ID] [--by USERNAME]

Publishes a quarter for every village of the scope that has not published it yet. Safe to
run twice: villages already published are skipped and reported.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import ServiceError
from places.models import Unit
from points import quarter as quarters
from points.models import Publication


class Command(BaseCommand):
    help = "Publish a quarter's household points for every village that has not published it."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026-Q3")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--village", type=int, help="only this village or community (unit id)")
        where.add_argument("--township", type=int, help="only this township's villages (unit id)")
        parser.add_argument(
            "--by", dest="username", help="who publishes (default: the first superuser)"
        )

    def handle(self, *args, quarter, village=None, township=None, username=None, **options):
        try:
            quarter = quarters.check_quarter(quarter)
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        actor = _actor(username)
        villages = _villages(village, township)
        done = set(
            Publication.objects.filter(quarter=quarter, village__in=villages).values_list(
                "village_id", flat=True
            )
        )
        published = skipped = 0
        for unit in villages:
            if unit.pk in done:
                skipped += 1
                self.stdout.write(f"{unit.name} (id {unit.pk}): {quarter} already published")
                continue
            try:
                publication = quarters.publish(village=unit, quarter=quarter, actor=actor)
            except ServiceError as error:
                if error.code != "already_published":  # published meanwhile by someone else
                    raise
                skipped += 1
                self.stdout.write(f"{unit.name} (id {unit.pk}): {quarter} already published")
                continue
            published += 1
            self.stdout.write(
                f"{unit.name} (id {unit.pk}): published {quarter}, "
                f"{len(publication.rows)} households, chain head #{publication.chain_seq}"
            )
        self.stdout.write(f"{quarter}: {published} published, {skipped} already published.")


def _actor(username: str | None):
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        return user
    user = users.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise CommandError("No active superuser to record as publisher; pass --by USERNAME.")
    return user


def _villages(village: int | None, township: int | None) -> list[Unit]:
    units = Unit.objects.filter(kind__in=quarters.VILLAGE_KINDS, is_active=True)
    if village is not None:
        units = units.filter(pk=village)
        if not units:
            raise CommandError(f"No village or community with id {village}.")
    elif township is not None:
        if not Unit.objects.filter(pk=township, kind=Unit.Kind.TOWNSHIP).exists():
            raise CommandError(f"No township with id {township}.")
        units = units.filter(township_id=township)
    return list(units.order_by("path"))
