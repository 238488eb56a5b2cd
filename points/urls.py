"""Pages of household points (login required)."""

from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.index, name="index"),
    path("home-card/", views.home_card, name="home_card"),
    path("households/<int:pk>/", views.household, name="household"),
    path("entries/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("joints/<int:unit_id>/appraisal/", views.appraisal, name="appraisal"),
    path("appraisals/<int:pk>/", views.batch, name="batch"),
    path("review/", views.review_queue, name="review"),
    path("proposals/<int:pk>/review/", views.review_proposal, name="review_proposal"),
    path("appeals/<int:pk>/decide/", views.decide_appeal, name="decide_appeal"),
    path("villages/<int:pk>/", views.village, name="village"),
    path("villages/<int:pk>/awards/", views.awards, name="awards"),
]
