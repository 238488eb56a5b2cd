"""Pages of work-group notifications (login required)."""

app_name = "notify"

urlpatterns: list = []
