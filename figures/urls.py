from django.urls import path

from figures import views

app_name = "figures"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    # ?quarter=1..4 for a quarter, ?compare=YEAR (the previous year by default),
    # ?publication=1 for the suppressed variant whoever reads it.
    path("<int:year>/", views.Dashboard.as_view(), name="dashboard"),
    # GET csv or xlsx: the file; POST pdf: a Job that builds the statistics PDF.
    path("<int:year>/export/<str:format>/", views.Export.as_view(), name="export"),
]
