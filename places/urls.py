from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/export.xlsx", views.unit_export, name="unit_export"),
    path("units/<int:pk>/import/", views.unit_import, name="unit_import"),
    path("units/<int:pk>/areas.xlsx", views.unit_areas_export, name="unit_areas_export"),
    path("units/<int:pk>/roles.xlsx", views.unit_roles_export, name="unit_roles_export"),
    path("units/<int:pk>/areas/add/", views.area_add, name="area_add"),
    path("units/<int:pk>/config/", views.township_config, name="township_config"),
    path("areas/<int:pk>/", views.area_detail, name="area"),
    path("areas/<int:pk>/reassign/", views.area_reassign, name="area_reassign"),
    path("search/", views.search, name="search"),
    path("search/export.xlsx", views.search_export, name="search_export"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", views.household_move, name="household_move"),
    path(
        "households/<int:pk>/members/add/", views.household_add_member, name="household_add_member"
    ),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/identity/", views.resident_identity, name="resident_identity"),
    path("identity-views/", views.identity_views, name="identity_views"),
]
