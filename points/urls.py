"""Pages of household points (login required)."""

app_name = "points"

urlpatterns: list = []
