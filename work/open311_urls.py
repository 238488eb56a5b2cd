"""Open311 GeoReport v2 under /open311/v2/ (see work/open311.py)."""

from django.urls import path

from . import open311

urlpatterns = [
    path("services.json", open311.services_list, name="open311-services"),
    path("requests.json", open311.requests_list, name="open311-requests"),
    path("requests/<str:public>.json", open311.request_detail, name="open311-request"),
]
