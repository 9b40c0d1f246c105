# The lead includes this module: path("repairs/", include("h2h.repairs.urls")).
from h2h.repairs.views import app_name, urlpatterns  # noqa: F401
