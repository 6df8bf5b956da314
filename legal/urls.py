from django.urls import path

from legal import (
    attachment_views,
    deadline_views,
    decision_views,
    directory_views,
    litigation_views,
    newsletter_views,
    training_views,
    views,
)

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
    # The lawyer directory (legal/directory_views.py)
    path("lawyers/", directory_views.LawyerList.as_view(), name="lawyer-list"),
    path("lawyers/add/", directory_views.LawyerCreate.as_view(), name="lawyer-create"),
    path("lawyers/import/", directory_views.LawyerImport.as_view(), name="lawyer-import"),
    path(
        "lawyers/import/confirm/",
        directory_views.LawyerImportConfirm.as_view(),
        name="lawyer-import-confirm",
    ),
    path("lawyers/export.csv", directory_views.LawyerExport.as_view(), name="lawyer-export"),
    path("lawyers/<uuid:key>/", directory_views.LawyerDetail.as_view(), name="lawyer-detail"),
    path("lawyers/<uuid:key>/edit/", directory_views.LawyerUpdate.as_view(), name="lawyer-update"),
    # Jurisprudence (legal/decision_views.py)
    path("decisions/", decision_views.DecisionList.as_view(), name="decision-list"),
    path("decisions/add/", decision_views.DecisionCreate.as_view(), name="decision-create"),
    path("decisions/<uuid:key>/", decision_views.DecisionDetail.as_view(), name="decision-detail"),
    path(
        "decisions/<uuid:key>/edit/",
        decision_views.DecisionUpdate.as_view(),
        name="decision-update",
    ),
    path(
        "decisions/<uuid:key>/publish/",
        decision_views.DecisionPublish.as_view(),
        name="decision-publish",
    ),
    path(
        "decisions/<uuid:key>/dismiss/",
        decision_views.DecisionDismiss.as_view(),
        name="decision-dismiss",
    ),
    path("decisions/<uuid:key>/pdf/", decision_views.DecisionPdf.as_view(), name="decision-pdf"),
    # Strategic litigation (legal/litigation_views.py)
    path("litigation/", litigation_views.CaseList.as_view(), name="litigation-list"),
    path("litigation/add/", litigation_views.CaseCreate.as_view(), name="litigation-create"),
    path("litigation/<uuid:key>/", litigation_views.CaseDetail.as_view(), name="litigation-detail"),
    path(
        "litigation/<uuid:key>/edit/",
        litigation_views.CaseUpdate.as_view(),
        name="litigation-update",
    ),
    path(
        "litigation/<uuid:key>/hearings/",
        litigation_views.HearingAdd.as_view(),
        name="hearing-add",
    ),
    path(
        "litigation/hearings/<uuid:key>/edit/",
        litigation_views.HearingUpdate.as_view(),
        name="hearing-update",
    ),
    # Trainings and documents (legal/training_views.py)
    path("trainings/", training_views.TrainingList.as_view(), name="training-list"),
    path("trainings/add/", training_views.TrainingCreate.as_view(), name="training-create"),
    path("trainings/<uuid:key>/", training_views.TrainingDetail.as_view(), name="training-detail"),
    path(
        "trainings/<uuid:key>/edit/",
        training_views.TrainingUpdate.as_view(),
        name="training-update",
    ),
    path(
        "trainings/<uuid:key>/materials/",
        training_views.MaterialAdd.as_view(),
        name="material-add",
    ),
    path(
        "trainings/materials/<uuid:key>/",
        training_views.MaterialDownload.as_view(),
        name="material-download",
    ),
    path("documents/", training_views.ResourceList.as_view(), name="resource-list"),
    path("documents/add/", training_views.ResourceCreate.as_view(), name="resource-create"),
    path(
        "documents/<uuid:key>/edit/",
        training_views.ResourceUpdate.as_view(),
        name="resource-update",
    ),
    # Public documents are read without signing in; internal ones by internal roles.
    path(
        "documents/<uuid:key>/<str:language>/",
        training_views.ResourceFile.as_view(),
        name="resource-file",
    ),
    # The newsletter, as legal writes it (legal/newsletter_views.py); the public archive
    # is legal/public_urls.py.
    path("newsletters/", newsletter_views.NewsletterList.as_view(), name="newsletter-list"),
    path("newsletters/add/", newsletter_views.NewsletterCreate.as_view(), name="newsletter-create"),
    path(
        "newsletters/<uuid:key>/",
        newsletter_views.NewsletterUpdate.as_view(),
        name="newsletter-update",
    ),
    path(
        "newsletters/<uuid:key>/preview/<str:language>/",
        newsletter_views.NewsletterPreview.as_view(),
        name="newsletter-preview",
    ),
    path(
        "newsletters/<uuid:key>/preview/<str:language>.pdf",
        newsletter_views.NewsletterPreviewPdf.as_view(),
        name="newsletter-preview-pdf",
    ),
    path(
        "newsletters/<uuid:key>/publish/",
        newsletter_views.NewsletterPublish.as_view(),
        name="newsletter-publish",
    ),
    path(
        "newsletters/<uuid:key>/deliveries/",
        newsletter_views.DeliveryList.as_view(),
        name="newsletter-deliveries",
    ),
    path(
        "newsletters/<uuid:key>/retry/",
        newsletter_views.DeliveryRetry.as_view(),
        name="newsletter-retry",
    ),
]
