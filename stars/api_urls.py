"""Star-rated households endpoints under /api/v1/ (in the "api" namespace; see stars/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("stars/stars/", api.StarSetList.as_view(), name="stars-stars"),
    path("stars/claims/", api.ClaimList.as_view(), name="stars-claims"),
    path("stars/claims/<int:pk>/", api.ClaimDetail.as_view(), name="stars-claim-detail"),
    path("stars/claims/<int:pk>/confirm/", api.ClaimConfirm.as_view(), name="stars-claim-confirm"),
    path(
        "stars/claims/<int:pk>/evaluation/",
        api.ClaimEvaluation.as_view(),
        name="stars-claim-evaluation",
    ),
    path("stars/claims/<int:pk>/vote/", api.ClaimVote.as_view(), name="stars-claim-vote"),
    path(
        "stars/claims/<int:pk>/objections/",
        api.ClaimObjections.as_view(),
        name="stars-claim-objections",
    ),
    path(
        "stars/objections/<int:pk>/resolve/",
        api.ObjectionResolve.as_view(),
        name="stars-objection-resolve",
    ),
    path("stars/withdrawals/", api.WithdrawalCreate.as_view(), name="stars-withdrawals"),
    path("stars/ratings/<int:household_id>/", api.RatingDetail.as_view(), name="stars-rating"),
    path("stars/visits/", api.VisitList.as_view(), name="stars-visits"),
]
