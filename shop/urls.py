"""Pages of points supermarkets (login required)."""

app_name = "shop"

urlpatterns: list = []
