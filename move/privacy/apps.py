from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "move.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from move.privacy import checks, jobs  # noqa: F401  (checks: the encryption-key check)

        jobs.register()
