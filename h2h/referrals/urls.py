from django.urls import path

from h2h.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_start, name="start"),
    path("new/check/", views.referral_check, name="check"),
    path("new/<slug:step>/", views.referral_step, name="step"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/submitted/", views.referral_submitted, name="submitted"),
]
