from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("lessons/", views.lessons_register, name="lessons"),
    path("known-errors/", views.known_errors, name="known_errors"),
    path("known-errors/<int:known_error_id>/", views.known_error, name="known_error"),
    path("known-errors/<int:known_error_id>/change/", views.change_known_error, name="change_known_error"),
    path("incident/<uuid:incident_uuid>/known-error/", views.raise_known_error, name="raise_known_error"),
    path("training/", views.training, name="training"),
    path("training/add/", views.add_training, name="add_training"),
    path("find-a-person/", views.find_a_person, name="find_a_person"),
    path("find-a-person/bundle/", views.find_a_person_bundle, name="find_a_person_bundle"),
    path("training/import/", views.import_training, name="import_training"),
]
