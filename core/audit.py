"""Writing and reading the audit log. Services call `record` inside their transaction."""

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields) -> dict:
    """The values of `fields` on `obj`, JSON-ready (foreign keys as their ids)."""
    result = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = field.attname if isinstance(field, models.ForeignKey) else name
        result[name] = _plain(getattr(obj, attname))
    return result


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    *, actor, action: str, obj: models.Model, changes: dict | None = None, reason: str = ""
) -> AuditEntry:
    township_id = getattr(obj, "township_id", None)
    return AuditEntry.objects.create(
        township_id=township_id,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        changes=changes or {},
        reason=reason[:300],
    )


def record_many(
    objs: list, *, actor, action: str, changes_of, reason: str = "", batch_size: int = 1000
) -> None:
    """One audit entry per object, as `record` writes them, in bulk INSERTs.

    `changes_of(obj)` gives each object's changes dict.
    """
    if not objs:
        return
    content_type = ContentType.objects.get_for_model(objs[0])
    actor = actor if getattr(actor, "pk", None) else None
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                township_id=getattr(obj, "township_id", None),
                actor=actor,
                action=action,
                content_type=content_type,
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                changes=changes_of(obj),
                reason=reason[:300],
            )
            for obj in objs
        ],
        batch_size=batch_size,
    )


def history(obj: models.Model):
    """Audit entries about `obj`, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
