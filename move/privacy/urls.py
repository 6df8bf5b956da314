from django.urls import path

from move.privacy import views

app_name = "privacy"

urlpatterns = [
    path("access-log/", views.AccessLogList.as_view(), name="accesslog-list"),
    path("jobs/<uuid:code>/", views.JobDetail.as_view(), name="job-detail"),
    path("jobs/<uuid:code>/download/", views.JobDownload.as_view(), name="job-download"),
    path("jobs/<uuid:code>/retry/", views.JobRetry.as_view(), name="job-retry"),
]
