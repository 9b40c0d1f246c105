from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pounds(value) -> str:
    """Decimal pounds as "£1,234.56" ("-£5.00" when negative); empty for None."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
