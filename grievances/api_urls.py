"""Grievances and petitions endpoints under /api/v1/ (in the "api" namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("grievances/", api.GrievanceList.as_view(), name="grievances-list"),
    path("grievances/figures/", api.GrievanceFigures.as_view(), name="grievances-figures"),
    path("grievances/duty/", api.DutyShiftList.as_view(), name="grievances-duty"),
    path("grievances/<int:pk>/", api.GrievanceDetail.as_view(), name="grievances-detail"),
    path(
        "grievances/<int:pk>/transition/",
        api.GrievanceTransition.as_view(),
        name="grievances-transition",
    ),
    path("grievances/<int:pk>/events/", api.GrievanceEvents.as_view(), name="grievances-events"),
    path("grievances/<int:pk>/rating/", api.GrievanceRating.as_view(), name="grievances-rating"),
]
