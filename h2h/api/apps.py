from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "h2h.api"
    label = "api"
    verbose_name = "API clients"
