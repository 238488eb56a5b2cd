"""Pages of the points supermarkets (see shop/urls.py)."""

from .counter import counter, receipt, void
from .reports import monthly_report, reconciliation, township_settings
from .supermarkets import goods_edit, goods_new, index, lift, stock, supermarket, suspend

__all__ = [
    "counter",
    "goods_edit",
    "goods_new",
    "index",
    "lift",
    "monthly_report",
    "receipt",
    "reconciliation",
    "stock",
    "supermarket",
    "suspend",
    "township_settings",
    "void",
]
