"""Pages of record of work (login required)."""

from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<str:kind>/", views.new_record, name="new"),
    path("teams/new/", views.new_team, name="new_team"),
    path("records/<str:kind>/<int:pk>/", views.record, name="record"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"size": "thumb"}, name="photo_thumb"),
    path("stats/", views.report, name="report"),
    path("stats/export/", views.export, name="export"),
    path("stats/figure/", views.figure, name="figure"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/new/", views.new_decision, name="new_decision"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("funding/", views.funding, name="funding"),
    path("funding/<int:township_id>/budgets/", views.new_budget, name="new_budget"),
    path("funding/<int:township_id>/rate/", views.set_rate, name="set_rate"),
    path("budgets/<int:pk>/", views.budget, name="budget"),
    path("spending/<int:pk>/reverse/", views.reverse_spending, name="reverse_spending"),
]
