from django.urls import path

from advocacy import exchange_views, meeting_views, point_views, testimony_views, witness_views

app_name = "advocacy"

urlpatterns = [
    # Points of attention (advocacy/point_views.py)
    path("points/", point_views.PointList.as_view(), name="point-list"),
    path("points/add/", point_views.PointCreate.as_view(), name="point-create"),
    path("points/<uuid:key>/", point_views.PointDetail.as_view(), name="point-detail"),
    path("points/<uuid:key>/edit/", point_views.PointUpdate.as_view(), name="point-update"),
    # From a report's observations: a new point, or added to an existing one.
    path("raise/<uuid:code>/", point_views.PointRaise.as_view(), name="point-raise"),
    # Meetings with the authorities (advocacy/meeting_views.py)
    path("meetings/", meeting_views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/add/", meeting_views.MeetingCreate.as_view(), name="meeting-create"),
    path("meetings/<uuid:key>/", meeting_views.MeetingDetail.as_view(), name="meeting-detail"),
    path("meetings/<uuid:key>/edit/", meeting_views.MeetingUpdate.as_view(), name="meeting-update"),
    path(
        "meetings/<uuid:key>/minutes/",
        meeting_views.MeetingMinutes.as_view(),
        name="meeting-minutes",
    ),
    path("meetings/<uuid:key>/pdf/", meeting_views.MeetingPdf.as_view(), name="meeting-pdf"),
    # Exchange meetings (advocacy/exchange_views.py)
    path("exchanges/", exchange_views.ExchangeList.as_view(), name="exchange-list"),
    path("exchanges/add/", exchange_views.ExchangeCreate.as_view(), name="exchange-create"),
    path("exchanges/<uuid:key>/", exchange_views.ExchangeDetail.as_view(), name="exchange-detail"),
    path(
        "exchanges/<uuid:key>/edit/",
        exchange_views.ExchangeUpdate.as_view(),
        name="exchange-update",
    ),
    # The witness pool (advocacy/witness_views.py)
    path("witnesses/", witness_views.WitnessList.as_view(), name="witness-list"),
    path("witnesses/add/", witness_views.WitnessCreate.as_view(), name="witness-create"),
    path("witnesses/<uuid:key>/", witness_views.WitnessDetail.as_view(), name="witness-detail"),
    path(
        "witnesses/<uuid:key>/edit/", witness_views.WitnessUpdate.as_view(), name="witness-update"
    ),
    path(
        "witnesses/<uuid:key>/contact/",
        witness_views.WitnessContact.as_view(),
        name="witness-contact",
    ),
    path(
        "witnesses/<uuid:key>/withdraw/",
        witness_views.WitnessWithdraw.as_view(),
        name="witness-withdraw",
    ),
    path(
        "witnesses/<uuid:key>/export/", witness_views.WitnessExport.as_view(), name="witness-export"
    ),
    path("witnesses/<uuid:key>/consents/", witness_views.ConsentAdd.as_view(), name="consent-add"),
    path(
        "consents/<uuid:key>/form/",
        witness_views.ConsentFormDownload.as_view(),
        name="consent-form",
    ),
    path(
        "witnesses/<uuid:key>/testimonies/",
        testimony_views.TestimonyAdd.as_view(),
        name="testimony-add",
    ),
    path("testimonies/", testimony_views.TestimonyList.as_view(), name="testimony-list"),
    path(
        "testimonies/<uuid:key>/",
        testimony_views.TestimonyDetail.as_view(),
        name="testimony-detail",
    ),
    path("testimonies/<uuid:key>/uses/", testimony_views.UseAdd.as_view(), name="use-add"),
    path("uses/", testimony_views.UseList.as_view(), name="use-list"),
    path(
        "uses/<uuid:key>/taken-down/", testimony_views.UseTakenDown.as_view(), name="use-taken-down"
    ),
]
