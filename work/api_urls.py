"""Work lists and problem ledgers endpoints under /api/v1/ (in the "api" namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("work/tasks/", api.TaskList.as_view(), name="work-tasks"),
    path("work/tasks/<int:pk>/", api.TaskDetail.as_view(), name="work-task-detail"),
    path("work/tasks/<int:pk>/reports/", api.TaskReportList.as_view(), name="work-task-reports"),
    path("work/problems/", api.ProblemList.as_view(), name="work-problems"),
    path("work/problems/<int:pk>/", api.ProblemDetail.as_view(), name="work-problem-detail"),
    path(
        "work/problems/<int:pk>/transitions/",
        api.ProblemTransitions.as_view(),
        name="work-problem-transitions",
    ),
    path("work/tickets/", api.TicketList.as_view(), name="work-tickets"),
    path(
        "work/tickets/<int:pk>/follow-up/",
        api.TicketFollowUp.as_view(),
        name="work-ticket-follow-up",
    ),
]
