"""Template filters for the pages: masking for display (see core.masking)."""

from django import template

from core import masking

register = template.Library()


@register.filter
def mask_name(value) -> str:
    """张三丰 → 张*丰 (see core.masking)."""
    return masking.mask_name(str(value or ""))


@register.filter
def mask_id(value) -> str:
    """420101199003071236 → 4201**********1236."""
    return masking.mask_id_number(str(value or ""))


@register.filter
def mask_phone(value) -> str:
    """13600008888 → 136****8888."""
    return masking.mask_phone(str(value or ""))
