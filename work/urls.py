"""Pages of work lists and problem ledgers (login required)."""

app_name = "work"

urlpatterns: list = []
