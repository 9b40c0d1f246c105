from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.repairs"
    label = "repairs"
    verbose_name = "Repairs, adaptations and handyperson jobs"
