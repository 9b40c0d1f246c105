from django.urls import path, register_converter

from h2h.reports import views


class YearMonthConverter:
    """A month as yyyy-mm (2026-10), passed to the view as (2026, 10)."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> tuple[int, int]:
        return int(value[:4]), int(value[5:])

    def to_url(self, value) -> str:
        if isinstance(value, str):
            return value
        year, month = value
        return f"{year:04d}-{month:02d}"


register_converter(YearMonthConverter, "yearmonth")

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("monthly/", views.monthly_index, name="monthly-index"),
    path("monthly/<yearmonth:month>/", views.monthly, name="monthly"),
    path("monthly/<yearmonth:month>.pdf", views.monthly_pdf, name="monthly-pdf"),
    path("monthly/<yearmonth:month>.xlsx", views.monthly_xlsx, name="monthly-xlsx"),
]
