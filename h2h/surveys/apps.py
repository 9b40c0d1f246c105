from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "h2h.surveys"
    verbose_name = "Health and wellbeing surveys"
