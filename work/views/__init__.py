"""The work pages, one module per resource (see work/urls.py)."""

from .lists import (
    index,
    list_action,
    list_create,
    list_detail,
    task_add,
    task_confirm,
    task_detail,
    task_report,
)
from .problems import (
    ledger,
    ledger_export,
    photo,
    problem_create,
    problem_detail,
    problem_transition,
)
from .supervision import draw_detail, draws, ticket_follow_up, tickets, visits

__all__ = [
    "draw_detail",
    "draws",
    "index",
    "ledger",
    "ledger_export",
    "list_action",
    "list_create",
    "list_detail",
    "photo",
    "problem_create",
    "problem_detail",
    "problem_transition",
    "task_add",
    "task_confirm",
    "task_detail",
    "task_report",
    "ticket_follow_up",
    "tickets",
    "visits",
]
