# Mounted by the project: path("outcomes/", include("h2h.hospital.urls_outcomes")).
from h2h.hospital.views_outcomes import app_name, urlpatterns  # noqa: F401
