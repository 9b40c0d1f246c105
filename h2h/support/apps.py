from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.support"
    label = "support"
    verbose_name = "Wrap-around support: tasks, follow-up visits and safeguarding"
