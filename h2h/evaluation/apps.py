from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "h2h.evaluation"
    verbose_name = "Annual evaluation"
