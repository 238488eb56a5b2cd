"""Points endpoints under /api/v1/ (filled by points/api.py)."""

urlpatterns: list = []
