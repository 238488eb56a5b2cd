"""Star-rated households endpoints under /api/v1/ (in the "api" namespace)."""

urlpatterns: list = []
