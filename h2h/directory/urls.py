from django.urls import path

from h2h.directory import views

app_name = "directory"
urlpatterns = [path("", views.contact_list, name="list")]
