"""Pages of record of work (login required)."""

app_name = "activities"

urlpatterns: list = []
