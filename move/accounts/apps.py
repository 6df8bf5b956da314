from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "move.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from allauth.mfa.signals import authenticator_removed

        from move.accounts import access_changes, navigation
        from move.accounts.middleware import forget_mfa

        authenticator_removed.connect(forget_mfa, dispatch_uid="move-forget-mfa")
        access_changes.register_own_models()

        navigation.register("home", _("Home"), order=0)
        navigation.register(
            "accounts:organisation-list", _("Organisations"), "accounts.manage_organisations", 80
        )
        navigation.register(
            "accounts:invitation-list", _("Invitations"), "accounts.manage_organisations", 81
        )
        # Side by side: who was given access, and what personal data was read.
        navigation.register(
            "accounts:accesschange-list", _("Access changes"), "accounts.view_access_changes", 82
        )
        navigation.register(
            "privacy:accesslog-list", _("Access log"), "privacy.view_access_log", 83
        )
        navigation.register("mfa_index", _("Security"), order=90)
        navigation.register("admin:index", _("Administration"), "accounts.use_admin", 99)
