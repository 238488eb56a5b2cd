"""Pages of the record of work (see activities/urls.py)."""

from .decisions import decision, decisions, new_decision
from .funding import budget, funding, new_budget, reverse_spending, set_rate
from .records import index, new_record, new_team, photo, record
from .stats import export, figure, report

__all__ = [
    "budget",
    "decision",
    "decisions",
    "export",
    "figure",
    "funding",
    "index",
    "new_budget",
    "new_decision",
    "new_record",
    "new_team",
    "photo",
    "record",
    "report",
    "reverse_spending",
    "set_rate",
]
