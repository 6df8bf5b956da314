from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.VisitList.as_view(), name="visit-list"),
    path("new/", views.VisitCreate.as_view(), name="visit-create"),
    path("coverage/", views.Coverage.as_view(), name="coverage"),
    path("<uuid:code>/edit/", views.VisitUpdate.as_view(), name="visit-update"),
    path("reports/", views.ReportList.as_view(), name="report-list"),
    path("<uuid:code>/report/", views.ReportStart.as_view(), name="report-start"),
    path("reports/<uuid:code>/", views.ReportDetail.as_view(), name="report-detail"),
    path("reports/<uuid:code>/edit/", views.ReportUpdate.as_view(), name="report-update"),
    path("reports/<uuid:code>/autosave/", views.ReportAutosave.as_view(), name="report-autosave"),
    path(
        "reports/<uuid:code>/observations/",
        views.ReportObservations.as_view(),
        name="report-observations",
    ),
    path("reports/<uuid:code>/dismiss/", views.FindingDismiss.as_view(), name="finding-dismiss"),
    path("reports/<uuid:code>/submit/", views.ReportSubmit.as_view(), name="report-submit"),
    path("reports/<uuid:code>/share/", views.ReportShare.as_view(), name="report-share"),
    path(
        "reports/<uuid:code>/share/revoke/",
        views.ReportShareRevoke.as_view(),
        name="report-share-revoke",
    ),
    path("reports/<uuid:code>/history/", views.ReportHistory.as_view(), name="report-history"),
    path("reports/<uuid:code>/pdf/", views.ReportPdf.as_view(), name="report-pdf"),
]
