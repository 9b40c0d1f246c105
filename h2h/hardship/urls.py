# The lead includes this module: path("hardship/", include("h2h.hardship.urls")).
from h2h.hardship.views import app_name, urlpatterns  # noqa: F401
