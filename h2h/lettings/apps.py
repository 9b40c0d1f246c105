from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.lettings"
    label = "lettings"
