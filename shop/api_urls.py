"""Points supermarkets endpoints under /api/v1/ (in the "api" namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("shop/supermarkets/", api.SupermarketList.as_view(), name="shop-supermarkets"),
    path(
        "shop/supermarkets/<int:pk>/",
        api.SupermarketDetail.as_view(),
        name="shop-supermarket-detail",
    ),
    path("shop/supermarkets/<int:pk>/goods/", api.GoodsList.as_view(), name="shop-goods"),
    path("shop/goods/<int:pk>/", api.GoodsDetail.as_view(), name="shop-goods-detail"),
    path(
        "shop/supermarkets/<int:pk>/stock-entries/",
        api.StockEntryList.as_view(),
        name="shop-stock-entries",
    ),
    path(
        "shop/supermarkets/<int:pk>/reconciliation/",
        api.Reconciliation.as_view(),
        name="shop-reconciliation",
    ),
    path("shop/redemptions/", api.RedemptionList.as_view(), name="shop-redemptions"),
    path(
        "shop/redemptions/<int:pk>/",
        api.RedemptionDetail.as_view(),
        name="shop-redemption-detail",
    ),
    path(
        "shop/redemptions/<int:pk>/void/", api.RedemptionVoid.as_view(), name="shop-redemption-void"
    ),
    path(
        "shop/townships/<int:pk>/report/", api.MonthlyReport.as_view(), name="shop-monthly-report"
    ),
]
