# Mounted by h2h/urls.py: path("surveys/", include("h2h.surveys.urls")).
from h2h.surveys.views import app_name, urlpatterns  # noqa: F401
