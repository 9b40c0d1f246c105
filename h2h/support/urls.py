# The lead includes this module: path("support/", include("h2h.support.urls")).
from h2h.support.views import app_name, urlpatterns  # noqa: F401
