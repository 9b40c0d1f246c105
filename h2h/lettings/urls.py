"""Lettings pages. Each views module owns its routes; they are gathered here under the "lettings" namespace."""

import importlib

app_name = "lettings"
urlpatterns = []
for module in ("views_stock", "views_applications", "views_cbl", "views_offers"):
    try:
        urlpatterns += importlib.import_module(f"h2h.lettings.{module}").urlpatterns
    except ModuleNotFoundError as error:
        if error.name != f"h2h.lettings.{module}":
            raise
