from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.cases"
    label = "cases"
