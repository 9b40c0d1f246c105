from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.calendar"
    label = "calendar"
    verbose_name = "Calendar feeds"
