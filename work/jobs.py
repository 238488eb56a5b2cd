"""Jobs of the work app: the daily escalation (`manage.py escalate` runs it; schedule it daily)."""

import datetime

from . import escalation


def escalate_daily(day: datetime.date | None = None) -> escalation.Result:
    """Issue today's white, yellow and red tickets for every township (safe to run twice)."""
    return escalation.escalate(day=day)
