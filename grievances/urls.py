"""Pages of grievances and petitions (login required)."""

from django.urls import path

from . import views

app_name = "grievances"

urlpatterns = [
    path("", views.index, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("duty/", views.duty, name="duty"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
