from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = _("Legal")

    def ready(self):
        from auditlog.registry import auditlog

        from legal import (  # noqa: F401 (receivers)
            attachments,
            decision_files,
            decision_search,
            home,
            library_files,
            newsletter,
            panels,
            retention,
        )
        from legal.demo import seed_help_requests
        from legal.demo_library import seed_library
        from legal.models import (
            DeadlineRule,
            Decision,
            HelpRequest,
            HelpRequestGroupObjectPermission,
            HelpRequestUserObjectPermission,
        )
        from move.accounts import access_changes, navigation
        from move.accounts.demo import register_seeder

        # The deadline rules are edited by legal, each change kept (DESIGN.md §3).
        auditlog.register(DeadlineRule)
        # Who published a decision, and when (legal/decision_views.py sets the actor).
        auditlog.register(Decision, include_fields=["status", "published_at"])
        auditlog.register(
            HelpRequest,
            include_fields=["status", "assignee", "urgency", "topic", "person", "centre"],
        )
        access_changes.register_shares(
            HelpRequestGroupObjectPermission,
            HelpRequestUserObjectPermission,
            thing=_("help request %(object)s"),
        )
        navigation.register("legal:request-list", _("Help desk"), "legal.view_help_request", 30)
        navigation.register("legal:calculator", _("Deadlines"), "legal.use_calculator", 31)
        navigation.register("legal:lawyer-list", _("Lawyers"), "legal.view_directory", 32)
        navigation.register(
            "legal:decision-list", _("Jurisprudence"), "legal.view_jurisprudence", 33
        )
        navigation.register("legal:newsletter-list", _("Newsletter"), "legal.view_newsletter", 34)
        retention.register()
        home.register()
        panels.register()
        register_seeder(seed_help_requests)
        register_seeder(seed_library)
        newsletter.register()  # the newsletter's job kind
