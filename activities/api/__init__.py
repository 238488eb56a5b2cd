"""REST API of the record of work (/api/v1/activities/): records of each kind, volunteer teams,
village decisions and their steps, budgets and spending, and the statistics.

Objects outside the scope answer 404; objects in sight that the user may not act on answer 403.
Every POST honours an `Idempotency-Key` header (core.idempotency).
"""

from .decisions import DecisionDetail, DecisionList, DecisionStep
from .funding import BudgetDetail, BudgetList, SpendingList, SpendingReverse
from .records import (
    BroadcastList,
    MeetingList,
    OutputList,
    PropagandaList,
    TrainingList,
    VolunteerEventList,
    VolunteerTeamList,
)
from .statistics import Statistics

__all__ = [
    "BroadcastList",
    "BudgetDetail",
    "BudgetList",
    "DecisionDetail",
    "DecisionList",
    "DecisionStep",
    "MeetingList",
    "OutputList",
    "PropagandaList",
    "SpendingList",
    "SpendingReverse",
    "Statistics",
    "TrainingList",
    "VolunteerEventList",
    "VolunteerTeamList",
]
