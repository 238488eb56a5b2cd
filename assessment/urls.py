"""Pages of the monthly assessment (login required); the public board is in public_urls."""

from .views import dashboard, months, yearly

app_name = "assessment"

urlpatterns = [*months.urlpatterns, *dashboard.urlpatterns, *yearly.urlpatterns]
