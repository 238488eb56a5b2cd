"""Monthly assessment endpoints under /api/v1/ (in the "api" namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("assessment/closes/", api.CloseList.as_view(), name="assessment-closes"),
    path("assessment/closes/<int:pk>/", api.CloseDetail.as_view(), name="assessment-close"),
    path("assessment/closes/<int:pk>/scores/", api.ScoreList.as_view(), name="assessment-scores"),
    path(
        "assessment/closes/<int:pk>/publish/",
        api.ClosePublish.as_view(),
        name="assessment-publish",
    ),
]
