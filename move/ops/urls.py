from django.urls import path

from move.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.SystemView.as_view(), name="system"),
]
