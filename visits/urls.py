from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.VisitList.as_view(), name="visit-list"),
    path("new/", views.VisitCreate.as_view(), name="visit-create"),
    path("coverage/", views.Coverage.as_view(), name="coverage"),
    path("<uuid:code>/edit/", views.VisitUpdate.as_view(), name="visit-update"),
    path("reports/", views.ReportList.as_view(), name="report-list"),
    path("reports/<uuid:code>/", views.ReportDetail.as_view(), name="report-detail"),
]
