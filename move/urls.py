from django.contrib import admin
from django.urls import include, path

from move.accounts import views as account_views
from move.ops import views as ops_views

urlpatterns = [
    path("", account_views.home, name="home"),
    # Before allauth's own: people do not add e-mail addresses themselves.
    path("accounts/email/", account_views.email_addresses, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("", include("move.accounts.urls")),
    path("centres/", include("move.centres.urls")),
    path("visits/", include("visits.urls")),
    path("people/", include("detainees.urls")),
    path("legal/", include("legal.urls")),
    # The newsletter's public archive, feed and unsubscribe links: no sign-in.
    path("newsletter/", include("legal.public_urls")),
    path("advocacy/", include("advocacy.urls")),
    path("figures/", include("figures.urls")),
    path("privacy/", include("move.privacy.urls")),
    path("system/", include("move.ops.urls")),
    # For the compose health checks and monitoring: no sign-in, no data.
    path("healthz", ops_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
