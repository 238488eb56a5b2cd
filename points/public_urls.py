"""Public pages of household points (no login): publications and card verification."""

app_name = "public"

urlpatterns: list = []
