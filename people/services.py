"""Writes to people: users and role assignments, each with its audit entry."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from places.models import Household, Unit

from .access import forget_scope
from .models import Role, RoleAssignment, User

ASSIGNMENT_FIELDS = ["user", "role", "unit", "household", "start_date", "end_date", "authority"]


@transaction.atomic
def create_user(
    *, username: str, name: str, actor, password: str | None = None, resident=None
) -> User:
    if User.objects.filter(username=username).exists():
        raise ServiceError(_("The login name %(u)s is taken.") % {"u": username}, code="duplicate")
    user = User(username=username, name=name, resident=resident)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        action="create",
        obj=user,
        changes={"username": [None, username], "name": [None, name]},
    )
    return user


@transaction.atomic
def assign_role(
    *,
    user: User,
    role: str,
    actor,
    unit: Unit | None = None,
    household: Household | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    authority: str = "",
) -> RoleAssignment:
    """Give `user` a role on a unit (or a household, for a villager) from `start_date`."""
    assignment = RoleAssignment(
        user=user,
        role=role,
        unit=unit,
        household=household,
        start_date=start_date or timezone.localdate(),
        end_date=end_date,
        authority=authority,
        granted_by=actor if getattr(actor, "pk", None) else None,
    )
    target = household if role == Role.VILLAGER else unit
    if target is not None:
        assignment.township_id = target.township_id
    assignment.full_clean(exclude=["township"])  # derived from the target; none for a county
    assignment.save()
    audit.record(
        actor=actor,
        action="create",
        obj=assignment,
        changes=audit.diff({}, audit.snapshot(assignment, ASSIGNMENT_FIELDS)),
        reason=authority,
    )
    forget_scope(user)
    return assignment


@transaction.atomic
def end_assignment(
    *, assignment: RoleAssignment, actor, end_date: datetime.date | None = None, reason: str = ""
) -> RoleAssignment:
    """End a role on a date (today by default). The assignment stays as history."""
    end_date = end_date or timezone.localdate()
    if assignment.end_date is not None and assignment.end_date <= end_date:
        raise ServiceError(_("This assignment has already ended."), code="already_ended")
    if end_date < assignment.start_date:
        raise ServiceError(_("A role cannot end before it starts."), code="bad_dates")
    before = audit.snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date"])
    audit.record(
        actor=actor,
        action="end",
        obj=assignment,
        changes=audit.diff(before, audit.snapshot(assignment, ASSIGNMENT_FIELDS)),
        reason=reason,
    )
    forget_scope(assignment.user)
    return assignment


@transaction.atomic
def replace_holder(
    *,
    assignment: RoleAssignment,
    new_user: User,
    actor,
    on: datetime.date | None = None,
    authority: str = "",
) -> RoleAssignment:
    """Personnel change (调整): end the current holder's role and give it to another person."""
    on = on or timezone.localdate()
    last_day = max(assignment.start_date, on - datetime.timedelta(days=1))
    end_assignment(assignment=assignment, actor=actor, end_date=last_day, reason=authority)
    return assign_role(
        user=new_user,
        role=assignment.role,
        unit=assignment.unit,
        household=assignment.household,
        actor=actor,
        start_date=on,
        authority=authority,
    )
