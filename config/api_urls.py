"""The REST API, version 1: every app's endpoints under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from activities import api_urls as activities_api_urls
from assessment import api_urls as assessment_api_urls
from grievances import api_urls as grievances_api_urls
from notify import api_urls as notify_api_urls
from people import api as people_api
from places import api as places_api
from points import api_urls as points_api_urls
from shop import api_urls as shop_api_urls
from stars import api_urls as stars_api_urls
from work import api_urls as work_api_urls

app_name = "api"

router = SimpleRouter()
router.register("users", people_api.UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", people_api.ObtainToken.as_view(), name="token"),
    path("units/", places_api.UnitList.as_view(), name="unit-list"),
    path("units/<int:pk>/", places_api.UnitDetail.as_view(), name="unit-detail"),
    path("units/<int:pk>/move/", places_api.UnitMove.as_view(), name="unit-move"),
    path(
        "units/<int:pk>/households/",
        places_api.UnitHouseholds.as_view(),
        name="unit-households",
    ),
    path("households/", places_api.HouseholdList.as_view(), name="household-list"),
    path("households/<int:pk>/", places_api.HouseholdDetail.as_view(), name="household-detail"),
    path("households/<int:pk>/move/", places_api.HouseholdMove.as_view(), name="household-move"),
    path("residents/", places_api.ResidentList.as_view(), name="resident-list"),
    path("residents/<int:pk>/", places_api.ResidentDetail.as_view(), name="resident-detail"),
    path(
        "residents/<int:pk>/identity/",
        places_api.ResidentIdentity.as_view(),
        name="resident-identity",
    ),
    path("areas/", places_api.AreaList.as_view(), name="area-list"),
    path("areas/<int:pk>/", places_api.AreaDetail.as_view(), name="area-detail"),
    path("areas/<int:pk>/reassign/", places_api.AreaReassign.as_view(), name="area-reassign"),
    path(
        "townships/<int:pk>/config/",
        places_api.TownshipConfigView.as_view(),
        name="township-config",
    ),
    path("assignments/", people_api.AssignmentList.as_view(), name="assignment-list"),
    path("assignments/<int:pk>/", people_api.AssignmentDetail.as_view(), name="assignment-detail"),
    path("assignments/<int:pk>/end/", people_api.AssignmentEnd.as_view(), name="assignment-end"),
    *points_api_urls.urlpatterns,
    *notify_api_urls.urlpatterns,
    *shop_api_urls.urlpatterns,
    *work_api_urls.urlpatterns,
    *stars_api_urls.urlpatterns,
    *grievances_api_urls.urlpatterns,
    *activities_api_urls.urlpatterns,
    *assessment_api_urls.urlpatterns,
    *router.urls,
]
