from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.area"
    label = "area"
