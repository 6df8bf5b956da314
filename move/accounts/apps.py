from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "move.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from allauth.mfa.signals import authenticator_removed

        from move.accounts import navigation
        from move.accounts.middleware import forget_mfa

        authenticator_removed.connect(forget_mfa, dispatch_uid="move-forget-mfa")

        navigation.register("home", _("Home"), order=0)
        navigation.register(
            "accounts:organisation-list", _("Organisations"), "accounts.manage_organisations", 80
        )
        navigation.register(
            "accounts:invitation-list", _("Invitations"), "accounts.manage_organisations", 81
        )
        navigation.register("mfa_index", _("Security"), order=90)
        navigation.register("admin:index", _("Administration"), "accounts.use_admin", 99)
