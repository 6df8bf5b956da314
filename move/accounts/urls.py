from django.urls import path

from move.accounts import views

app_name = "accounts"

urlpatterns = [
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationCreate.as_view(), name="organisation-create"),
    path(
        "organisations/<uuid:code>/", views.OrganisationDetail.as_view(), name="organisation-detail"
    ),
    path(
        "organisations/<uuid:code>/edit/",
        views.OrganisationUpdate.as_view(),
        name="organisation-update",
    ),
    path(
        "organisations/<uuid:code>/memberships/new/",
        views.membership_create,
        name="membership-create",
    ),
    path("memberships/<uuid:code>/delete/", views.membership_delete, name="membership-delete"),
    path("invitations/", views.InvitationList.as_view(), name="invitation-list"),
    path("invitations/new/", views.invitation_create, name="invitation-create"),
    path("invitations/<uuid:code>/withdraw/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("access-changes/", views.AccessChangeList.as_view(), name="accesschange-list"),
]
