"""Pages of grievances and petitions (login required)."""

app_name = "grievances"

urlpatterns: list = []
