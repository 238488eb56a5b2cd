"""Work-group notifications endpoints under /api/v1/ (in the "api" namespace)."""

urlpatterns: list = []
