from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/export.xlsx", views.unit_export, name="unit_export"),
    path("units/<int:pk>/import/", views.unit_import, name="unit_import"),
    path("search/", views.search, name="search"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", views.household_move, name="household_move"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/identity/", views.resident_identity, name="resident_identity"),
]
