# The lead includes this module: path("calendar/", include("h2h.calendar.urls")).
from h2h.calendar.views import app_name, urlpatterns  # noqa: F401
