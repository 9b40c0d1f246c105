# The lead includes this module: path("evaluation/", include("h2h.evaluation.urls")).
from django.urls import path

from h2h.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.evaluation, name="evaluation"),
    path("evaluation.pdf", views.evaluation_pdf, name="pdf"),
    path("evaluation.xlsx", views.evaluation_xlsx, name="xlsx"),
    path("cost-book/", views.cost_book, name="cost-book"),
    path("cost-book/<str:code>/", views.cost_item, name="cost-item"),
    path("funding/", views.funding, name="funding"),
    path("funding/<int:pk>/remove/", views.funding_remove, name="funding-remove"),
    path("wellbeing-values/", views.wellbeing_values, name="wellbeing-values"),
    path("cases/<int:case_id>/avoided/", views.avoided, name="avoided"),
    path("cases/<int:case_id>/avoided/<str:kind>/", views.avoided_edit, name="avoided-edit"),
    path("cases/<int:case_id>/avoided/<str:kind>/remove/", views.avoided_remove, name="avoided-remove"),
    path("export/", views.export, name="export"),
    path("export.csv", views.export_csv, name="export-csv"),
]
