"""The public side of the newsletter (issue 11): the archive, its Atom feed, each
newsletter's page and PDFs, and the one-click unsubscribe link. No sign-in."""

from django.urls import path

from legal import newsletter_views

app_name = "newsletter"

urlpatterns = [
    path("", newsletter_views.Archive.as_view(), name="archive"),
    path("feed/", newsletter_views.ArchiveFeed(), name="feed"),
    path("<int:year>-q<int:quarter>/", newsletter_views.PublicDetail.as_view(), name="detail"),
    path(
        "<int:year>-q<int:quarter>/<str:language>.pdf",
        newsletter_views.PublicPdf.as_view(),
        name="pdf",
    ),
    path("unsubscribe/<str:token>/", newsletter_views.Unsubscribe.as_view(), name="unsubscribe"),
]
