from django.urls import path

from h2h.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/<int:user_id>/", views.caseload, name="caseload-for"),
    path("team/", views.team, name="team"),
    path("overview/", views.overview, name="overview"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/screening/", views.case_screening, name="screening"),
    path("<int:case_id>/move/", views.case_move_view, name="move"),
    path("<int:case_id>/assign/", views.case_assign_view, name="assign"),
    path("<int:case_id>/notes/", views.case_note_view, name="note"),
]
