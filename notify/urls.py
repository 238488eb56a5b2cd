"""Pages of work-group notifications (login required)."""

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("units/<int:pk>/robots/new/", views.robot_new, name="robot_new"),
    path("units/<int:pk>/deliveries/", views.unit_deliveries, name="unit_deliveries"),
    path("robots/<int:pk>/disable/", views.robot_disable, name="robot_disable"),
    path("robots/<int:pk>/test/", views.robot_test, name="robot_test"),
]
