"""Protected logins: the lockout answer, the client's address, and who may unlock whom.

django-axes counts failed logins per account and per address (settings: AXES_*). A locked
account or address gets a plain Chinese answer (a page, or JSON under /api/); a township
administrator unlocks the accounts of people who hold a role in their township.
"""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import NotInScope
from core.scope import MANAGE, Scope

from .models import RoleAssignment, User


def client_address(request) -> str | None:
    """The peer's address, or with TRUSTED_PROXY_COUNT proxies the one the first proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = settings.AXES_COOLOFF_TIME
    if minutes:
        return _(
            "Too many failed logins: this account or this network address is locked for "
            "%(minutes)d minutes. Ask your township office to unlock it sooner."
        ) % {"minutes": int(minutes.total_seconds() // 60)}
    return _(
        "Too many failed logins: this account or this network address is locked. "
        "Ask your township office to unlock it."
    )


def lockout_response(request, original_response=None, credentials=None):
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": lockout_message()}, status=status)
    context = {"message": lockout_message()}
    return render(request, "registration/locked_out.html", context, status=status)


def _township_usernames(scope: Scope):
    """Usernames of people holding (or having held) a role somewhere the scope manages."""
    if scope.is_superuser:
        return User.objects.values("username")
    managed = scope.units_q(MANAGE, prefix="unit__") | scope.households_q(
        MANAGE, prefix="household__"
    )
    holders = RoleAssignment.objects.filter(managed).values("user_id")
    return User.objects.filter(pk__in=holders).values("username")


def locked_accounts(scope: Scope):
    """Accounts with failed logins the scope may unlock: username, failures, last attempt."""
    if not scope.can(MANAGE):
        return AccessAttempt.objects.none()
    rows = (
        AccessAttempt.objects.filter(username__in=_township_usernames(scope))
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .order_by("username")
    )
    if settings.AXES_COOLOFF_TIME:
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        rows = rows.filter(Q(attempt_time__gte=since))
    return rows


@transaction.atomic
def unlock(*, scope: Scope, username: str, actor, reason: str = "") -> int:
    """Clear an account's failed logins (and so its lock). Returns the attempts cleared."""
    user = User.objects.filter(username=username).first()
    if user is None or not locked_accounts(scope).filter(username=username).exists():
        raise NotInScope()
    cleared = reset(username=username)
    audit.record(
        actor=actor,
        action="unlock",
        obj=user,
        changes={"failed_attempts_cleared": cleared},
        reason=reason,
    )
    return cleared
