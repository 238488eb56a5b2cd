"""The REST API, version 1: every app's endpoints under /api/v1/."""

urlpatterns: list = []
