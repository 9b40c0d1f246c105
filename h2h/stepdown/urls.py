# The lead includes this module: path("step-down/", include("h2h.stepdown.urls")).
from h2h.stepdown.views import app_name, urlpatterns  # noqa: F401
