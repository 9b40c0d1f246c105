from django.urls import path

from h2h.hospital import views

app_name = "hospital"
urlpatterns = [
    path("", views.extract_list_page, name="extracts"),
    path("upload/", views.upload_page, name="upload"),
    path("<int:extract_id>/", views.extract_page, name="extract"),
    path("<int:extract_id>/errors.csv", views.extract_errors_csv, name="extract-errors"),
    path("reviews/", views.review_list_page, name="reviews"),
    path("reviews/<int:review_id>/", views.review_page, name="review"),
]
