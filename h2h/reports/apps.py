from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "h2h.reports"
    verbose_name = "Reports and KPIs"
