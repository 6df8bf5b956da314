from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetaineesConfig(AppConfig):
    name = "detainees"
    verbose_name = _("People accompanied")

    def ready(self):
        from auditlog.registry import auditlog

        from detainees import retention, services
        from detainees.demo import seed_held_now, seed_people
        from detainees.models import DetentionSpell, Person
        from move.accounts import navigation
        from move.accounts.demo import register_seeder
        from move.privacy.registry import register_known_names
        from move.privacy.views import register_job_kind
        from visits import panels

        # The history of case files; identities are kept out (encrypted, and each of
        # their reads is in the access log instead).
        auditlog.register(Person, exclude_fields=["version", "updated_at"])
        auditlog.register(DetentionSpell)
        register_known_names(services.known_names)
        retention.register()
        register_job_kind(
            "subject_access", _("Export of everything held on a person"), services.may_take_export
        )
        register_seeder(seed_people)
        register_seeder(seed_held_now)
        navigation.register("detainees:person-list", _("People"), "detainees.view_person", 25)
        panels.register_visit_panel("detainees/visit_people.html", services.visit_panel)
