from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self):
        from move.accounts.demo import register_seeder
        from visits.demo import seed_themes

        register_seeder(seed_themes)
