from django.apps import AppConfig


class Config(AppConfig):
    name = "h2h.area"
    label = "area"

    def ready(self):
        # Read and check the area file at start-up, so a mistake stops the service with the key that is
        # wrong instead of failing on the first page someone opens.
        from h2h.area.config import get_area

        get_area()
