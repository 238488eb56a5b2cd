"""Jobs of the grievances app: the three-colour escalation of overdue grievances, run by the
daily `manage.py escalate` (work's command) beside the work ledger's own escalation."""

import datetime

from . import escalation


def escalate(*, day: datetime.date | None = None, townships=None) -> escalation.Result:
    """Issue the day's white, yellow and red grievance tickets (safe to run twice)."""
    return escalation.escalate(day=day, townships=townships)
