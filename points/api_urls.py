"""Points endpoints under /api/v1/ (in the "api" namespace; see points/api/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("points/lists/", api.PointsListList.as_view(), name="points-lists"),
    path("points/lists/<int:pk>/adopt/", api.PointsListAdopt.as_view(), name="points-list-adopt"),
    path("points/proposals/", api.ProposalList.as_view(), name="points-proposals"),
    path("points/proposals/<int:pk>/", api.ProposalDetail.as_view(), name="points-proposal-detail"),
    path(
        "points/proposals/<int:pk>/review/",
        api.ProposalReview.as_view(),
        name="points-proposal-review",
    ),
    path(
        "points/joint-appraisals/",
        api.JointAppraisalCreate.as_view(),
        name="points-joint-appraisals",
    ),
    path("points/entries/", api.EntryList.as_view(), name="points-entries"),
    path(
        "points/balances/<int:household_id>/",
        api.BalanceDetail.as_view(),
        name="points-balance",
    ),
    path("points/appeals/", api.AppealList.as_view(), name="points-appeals"),
    path(
        "points/appeals/<int:pk>/decide/", api.AppealDecide.as_view(), name="points-appeal-decide"
    ),
]
