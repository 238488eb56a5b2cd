"""Record of work endpoints under /api/v1/ (in the "api" namespace; see activities/api/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("activities/trainings/", api.TrainingList.as_view(), name="activities-trainings"),
    path(
        "activities/volunteer-teams/",
        api.VolunteerTeamList.as_view(),
        name="activities-volunteer-teams",
    ),
    path(
        "activities/volunteer-events/",
        api.VolunteerEventList.as_view(),
        name="activities-volunteer-events",
    ),
    path("activities/propaganda/", api.PropagandaList.as_view(), name="activities-propaganda"),
    path("activities/broadcasts/", api.BroadcastList.as_view(), name="activities-broadcasts"),
    path("activities/meetings/", api.MeetingList.as_view(), name="activities-meetings"),
    path("activities/outputs/", api.OutputList.as_view(), name="activities-outputs"),
    path("activities/decisions/", api.DecisionList.as_view(), name="activities-decisions"),
    path(
        "activities/decisions/<int:pk>/",
        api.DecisionDetail.as_view(),
        name="activities-decision-detail",
    ),
    path(
        "activities/decisions/<int:pk>/steps/",
        api.DecisionStep.as_view(),
        name="activities-decision-steps",
    ),
    path("activities/budgets/", api.BudgetList.as_view(), name="activities-budgets"),
    path(
        "activities/budgets/<int:pk>/", api.BudgetDetail.as_view(), name="activities-budget-detail"
    ),
    path("activities/spending/", api.SpendingList.as_view(), name="activities-spending"),
    path(
        "activities/spending/<int:pk>/reverse/",
        api.SpendingReverse.as_view(),
        name="activities-spending-reverse",
    ),
    path("activities/statistics/", api.Statistics.as_view(), name="activities-statistics"),
]
