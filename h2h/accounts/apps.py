from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.accounts"
    label = "accounts"

    def ready(self):
        from h2h.accounts import signals  # noqa: F401  (connects the receivers)
