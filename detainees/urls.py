from django.urls import path

from detainees import export_views, privacy_views, views

app_name = "detainees"

urlpatterns = [
    path("", views.PersonList.as_view(), name="person-list"),
    path("new/", views.PersonCreate.as_view(), name="person-create"),
    path("<uuid:key>/", views.PersonDetail.as_view(), name="person-detail"),
    path("<uuid:key>/edit/", views.PersonUpdate.as_view(), name="person-update"),
    path("<uuid:key>/identity/", views.IdentityDetail.as_view(), name="identity-detail"),
    path("<uuid:key>/identity/edit/", views.IdentityUpdate.as_view(), name="identity-update"),
    path("<uuid:key>/detention/new/", views.SpellCreate.as_view(), name="spell-create"),
    path("<uuid:key>/transfer/", views.PersonTransfer.as_view(), name="person-transfer"),
    path("<uuid:key>/release/", views.PersonRelease.as_view(), name="person-release"),
    path(
        "<uuid:key>/meetings/new/", views.AccompanimentCreate.as_view(), name="accompaniment-create"
    ),
    path("<uuid:key>/referrals/new/", views.ReferralCreate.as_view(), name="referral-create"),
    path("referrals/<uuid:key>/", views.ReferralUpdate.as_view(), name="referral-update"),
    path("<uuid:key>/sharing/", views.PersonShare.as_view(), name="person-share"),
    path("<uuid:key>/export/", export_views.PersonExport.as_view(), name="person-export"),
    path("<uuid:key>/erase/", privacy_views.PersonErase.as_view(), name="person-erase"),
    path("families/new/", views.FamilyCreate.as_view(), name="family-create"),
    path("families/<uuid:key>/", views.FamilyDetail.as_view(), name="family-detail"),
]
