"""REST API for household points (/api/v1/points/): lists, proposals and their review, 联户
appraisals, the ledger's entries, balances and appeals.

Each view parses with an explicit serializer, checks access through the user's Scope, calls one
service or selector and serializes. Objects outside the scope answer 404; objects in sight that
the user may not act on answer 403. Every write honours an `Idempotency-Key` header
(core.idempotency): a retried request answers the first response and changes nothing.

points/api_urls.py uses the views below.
"""

from ._common import (
    WRITE_ERRORS,
    MonthField,
    MonthFilter,
    PointsItemSerializer,
    parse_month,
    require,
)
from .appeals import AppealDecide, AppealList
from .ledger import BalanceDetail, EntryList
from .lists import PointsListAdopt, PointsListList
from .proposals import JointAppraisalCreate, ProposalDetail, ProposalList, ProposalReview

__all__ = [
    "WRITE_ERRORS",
    "AppealDecide",
    "AppealList",
    "BalanceDetail",
    "EntryList",
    "JointAppraisalCreate",
    "MonthField",
    "MonthFilter",
    "PointsItemSerializer",
    "PointsListAdopt",
    "PointsListList",
    "ProposalDetail",
    "ProposalList",
    "ProposalReview",
    "parse_month",
    "require",
]
