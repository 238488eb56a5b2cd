"""Pages of star-rated households (login required)."""

app_name = "stars"

urlpatterns: list = []
