"""Pages of points supermarkets (login required)."""

from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.supermarket, name="supermarket"),
    path("<int:pk>/counter/", views.counter, name="counter"),
    path("<int:pk>/stock/", views.stock, name="stock"),
    path("<int:pk>/goods/new/", views.goods_new, name="goods_new"),
    path("<int:pk>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("goods/<int:pk>/edit/", views.goods_edit, name="goods_edit"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("receipts/<int:pk>/void/", views.void, name="void"),
    path("households/<int:household_id>/suspend/", views.suspend, name="suspend"),
    path("suspensions/<int:pk>/lift/", views.lift, name="lift"),
    path("townships/<int:pk>/report/", views.monthly_report, name="report"),
    path("townships/<int:pk>/settings/", views.township_settings, name="settings"),
]
