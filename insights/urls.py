from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("log/", views.log_view, name="log"),
    path("log/export.csv", views.export_csv, name="export_csv"),
    path("log/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("pack/", views.pack_view, name="pack"),
    path("reviews/", views.reviews_view, name="reviews"),
    path("reviews/run/", views.run_review_view, name="run_review"),
    path("reviews/<uuid:review_uuid>/", views.review_view, name="review"),
    path("import/", views.import_view, name="import"),
    path("import/<uuid:batch_uuid>/", views.import_batch_view, name="import_batch"),
]
