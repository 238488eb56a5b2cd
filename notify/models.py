"""Work-group notifications: group robots of grids and villages, and the deliveries to them.

`Delivery` is a table used as a job queue (Healthchecks style): services insert rows inside
the caller's transaction, `notify.jobs.deliver_due` (run by `manage.py deliver`) sends them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Unit


class Robot(models.Model):
    """A WeCom or DingTalk group robot of a unit's work group; stores only the secret parts."""

    class Vendor(models.TextChoices):
        WECOM = "wecom", _("WeCom (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        TEXT = "text", _("Plain text")

    UNIT_KINDS = (Unit.Kind.TOWNSHIP, Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY, Unit.Kind.GRID)

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="robots"
    )
    name = models.CharField(_("work group"), max_length=100)
    vendor = models.CharField(_("vendor"), max_length=10, choices=Vendor.choices)
    message_format = models.CharField(
        _("message format"), max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )
    # The secret part of the webhook address only (WeCom `key`, DingTalk `access_token`); the
    # base URL is a setting. Never logged, never shown back in full.
    key = models.CharField(_("webhook key / access token"), max_length=200)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit__path", "pk"]
        indexes = [models.Index(fields=["unit", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(vendor="dingtalk") | Q(secret=""), name="notify_robot_secret_dingtalk"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="notify_robot_has_key"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_vendor_display()})"

    @property
    def key_hint(self) -> str:
        """The key as shown after saving: only its last four characters."""
        return mask_secret(self.key)


def mask_secret(value: str) -> str:
    """'****' and the last four characters (nothing of a short value)."""
    if not value:
        return ""
    return "****" + value[-4:] if len(value) >= 12 else "****"


class Delivery(models.Model):
    """One message to one robot, with its attempts: a row of the delivery job queue."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Failed, will retry")
        DEAD = "dead", _("Given up")

    PENDING = (Status.QUEUED, Status.RETRYING)

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    robot = models.ForeignKey(
        Robot, verbose_name=_("robot"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.JSONField(_("body"), help_text=_("The JSON body exactly as posted."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The queue: only pending rows are in the index, so it stays small.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["queued", "retrying"]),
                name="notify_delivery_due",
            ),
            models.Index(fields=["robot", "-created_at"], name="notify_delivery_robot"),
            models.Index(fields=["township", "-created_at"], name="notify_delivery_township"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["queued", "retrying"]) | Q(next_attempt_at__isnull=False),
                name="notify_delivery_pending_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.robot_id}: {self.title}"
