"""Work-group notifications endpoints under /api/v1/ (in the "api" namespace)."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("notify/robots/", api.RobotList.as_view(), name="notify-robot-list"),
    path("notify/robots/<int:pk>/", api.RobotDetail.as_view(), name="notify-robot-detail"),
    path(
        "notify/robots/<int:pk>/disable/", api.RobotDisable.as_view(), name="notify-robot-disable"
    ),
    path("notify/robots/<int:pk>/test/", api.RobotTest.as_view(), name="notify-robot-test"),
    path("notify/deliveries/", api.DeliveryList.as_view(), name="notify-delivery-list"),
]
