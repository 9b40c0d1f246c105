from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from h2h.api.api import api, no_such_endpoint
from h2h.cases import views as case_views

urlpatterns = [
    path("", case_views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("referrals/", include("h2h.referrals.urls")),
    path("cases/", include("h2h.cases.urls")),
    path("lettings/", include("h2h.lettings.urls")),
    path("repairs/", include("h2h.repairs.urls")),
    path("step-down/", include("h2h.stepdown.urls")),
    path("hardship/", include("h2h.hardship.urls")),
    path("calendar/", include("h2h.calendar.urls")),
    path("support/", include("h2h.support.urls")),
    path("surveys/", include("h2h.surveys.urls")),
    path("hospital-activity/", include("h2h.hospital.urls")),
    path("outcomes/", include("h2h.hospital.urls_outcomes")),
    path("reports/", include("h2h.reports.urls")),
    path("evaluation/", include("h2h.evaluation.urls")),
    path("directory/", include("h2h.directory.urls")),
    path("audit/", include("h2h.audit.urls")),
    path("notifications/", include("h2h.notifications.urls")),
    path("api-clients/", include("h2h.api.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", no_such_endpoint),
    path("healthz", case_views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
