from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.stepdown"
    label = "stepdown"
    verbose_name = "Step-down flats"
