"""Pages of household points: a household's points, the 联户 appraisal, the review queue and a
village's points (list, rankings, quarterly awards, charts). Login required everywhere; what
lies outside the user's scope is a 404, what is visible but not theirs to do is a 403."""

from .appraisal import appraisal, batch
from .home import home_card, index
from .households import appeal, household
from .review import decide_appeal, review_proposal, review_queue
from .villages import awards, village

__all__ = [
    "appeal",
    "appraisal",
    "awards",
    "batch",
    "decide_appeal",
    "home_card",
    "household",
    "index",
    "review_proposal",
    "review_queue",
    "village",
]
