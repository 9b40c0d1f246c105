from django.apps import AppConfig


class HospitalConfig(AppConfig):
    name = "h2h.hospital"
    verbose_name = "Hospital activity"
