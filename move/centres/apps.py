from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "move.centres"
    label = "centres"
    verbose_name = _("Centres")

    def ready(self):
        from move.accounts import navigation

        navigation.register("centres:centre-list", _("Centres"), "centres.view_centre", 10)
