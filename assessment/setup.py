"""A township's assessment configuration, created with the seed articles' defaults on first use."""

from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from places.models import Unit

from .models import DEFAULT_ITEMS, Item, KeyWork, Settings, Source

# 004's key work: petitions and stability, work safety, rural revitalisation.
DEFAULT_KEY_WORK = [
    gettext_noop("Petitions and stability (信访维稳)"),
    gettext_noop("Work safety (安全生产)"),
    gettext_noop("Rural revitalisation (乡村振兴)"),
]


def ensure(township: Unit) -> Settings:
    """The township's settings; its default items and key-work items the first time.

    Default names are written in the site's language (LANGUAGE_CODE): they are the township's
    data from then on, renamed or added to like any other.
    """
    settings, created = Settings.objects.get_or_create(township=township)
    if created:
        with translation.override(django_settings.LANGUAGE_CODE):
            labels = dict(Source.choices)
            Item.objects.bulk_create(
                [
                    Item(township=township, source=source, name=str(labels[source]), points=points)
                    for source, points in DEFAULT_ITEMS.items()
                ],
                ignore_conflicts=True,
            )
            KeyWork.objects.bulk_create(
                [KeyWork(township=township, name=_(name)) for name in DEFAULT_KEY_WORK],
                ignore_conflicts=True,
            )
    return settings


def ensure_all(townships: list[Unit]) -> None:
    """`ensure` for the townships that have no settings yet (a county's run: one query)."""
    have = set(
        Settings.objects.filter(township__in=townships).values_list("township_id", flat=True)
    )
    for township in townships:
        if township.pk not in have:
            ensure(township)
