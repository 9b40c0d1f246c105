from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.hardship"
    label = "hardship"
    verbose_name = "Hardship fund"
