"""The administrator's API client pages, mounted at /api-clients/ (the API itself is at /api/v1/)."""

from django.urls import path

from h2h.api import views

app_name = "api_clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_new, name="new"),
    path("<int:client_id>/revoke/", views.client_revoke_page, name="revoke"),
]
