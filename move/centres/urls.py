from django.urls import path

from move.centres import views

app_name = "centres"

urlpatterns = [
    path("", views.CentreList.as_view(), name="centre-list"),
    path("new/", views.CentreCreate.as_view(), name="centre-create"),
    path("<slug:code>/", views.CentreDetail.as_view(), name="centre-detail"),
    path("<slug:code>/edit/", views.CentreUpdate.as_view(), name="centre-update"),
    path("<slug:code>/years/new/", views.CentreYearCreate.as_view(), name="centreyear-create"),
    path("years/<uuid:code>/edit/", views.CentreYearUpdate.as_view(), name="centreyear-update"),
]
