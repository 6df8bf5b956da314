from django.urls import path

from legal import attachment_views, deadline_views, views

app_name = "legal"

urlpatterns = [
    # The help desk (legal/views.py)
    path("help/", views.RequestList.as_view(), name="request-list"),
    path("help/ask/", views.RequestAsk.as_view(), name="request-ask"),
    path("help/record/", views.RequestRecord.as_view(), name="request-record"),
    path("help/<uuid:key>/", views.RequestDetail.as_view(), name="request-detail"),
    path("help/<uuid:key>/edit/", views.RequestUpdate.as_view(), name="request-update"),
    path("help/<uuid:key>/message/", views.RequestMessage.as_view(), name="request-message"),
    path("help/<uuid:key>/status/", views.RequestStatus.as_view(), name="request-status"),
    path("help/<uuid:key>/sharing/", views.RequestShare.as_view(), name="request-share"),
    # Attachments (legal/attachment_views.py)
    path(
        "help/<uuid:key>/attachments/",
        attachment_views.AttachmentAdd.as_view(),
        name="attachment-add",
    ),
    path(
        "help/attachments/<uuid:key>/",
        attachment_views.AttachmentDownload.as_view(),
        name="attachment-download",
    ),
    # Deadlines (legal/deadline_views.py)
    path("help/<uuid:key>/deadlines/", deadline_views.DeadlineAdd.as_view(), name="deadline-add"),
    path(
        "help/deadlines/<uuid:key>/done/",
        deadline_views.DeadlineDone.as_view(),
        name="deadline-done",
    ),
    path("deadlines/", deadline_views.Calculator.as_view(), name="calculator"),
    path("deadlines/rules/", deadline_views.RuleList.as_view(), name="rule-list"),
    path("deadlines/rules/<slug:code>/", deadline_views.RuleUpdate.as_view(), name="rule-update"),
]
