"""Pages of star-rated households (login required)."""

from django.urls import path

from . import views

app_name = "stars"

urlpatterns = [
    path("", views.index, name="index"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/claim/", views.claim_form, name="claim_form"),
    path("households/<int:pk>/visit/", views.visit, name="visit"),
    path("households/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("claims/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("claims/<int:pk>/vote/", views.vote, name="vote"),
    path("claims/<int:pk>/objections/", views.object_to, name="object"),
    path("objections/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("villages/<int:pk>/", views.village, name="village"),
    path("villages/<int:pk>/pair/", views.pair, name="pair"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
]
