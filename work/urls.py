"""Pages of work lists and problem ledgers (login required)."""

from django.urls import path, re_path

from . import views

app_name = "work"

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/tasks/", views.task_add, name="task_add"),
    re_path(
        r"^lists/(?P<pk>\d+)/(?P<action>issue|publish|copy)/$",
        views.list_action,
        name="list_action",
    ),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/confirm/", views.task_confirm, name="task_confirm"),
    path("problems/", views.ledger, name="ledger"),
    path("problems/export.xlsx", views.ledger_export, name="ledger_export"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/transition/", views.problem_transition, name="problem_transition"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/<int:pk>/follow-up/", views.ticket_follow_up, name="ticket_follow_up"),
    path("draws/", views.draws, name="draws"),
    path("draws/<int:pk>/", views.draw_detail, name="draw"),
    path("visits/", views.visits, name="visits"),
]
