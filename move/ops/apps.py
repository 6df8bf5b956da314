from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """No models: installed so that Celery's worker finds move.ops.tasks (the nightly
    backup and its check, sent by beat) and Django its templates and commands."""

    name = "move.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from move.accounts import navigation
        from move.ops import health  # noqa: F401 - connects the worker's heartbeat signals

        navigation.register("ops:system", _("System"), "ops.view_system", 84)
