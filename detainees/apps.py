from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetaineesConfig(AppConfig):
    name = "detainees"
    verbose_name = _("People accompanied")

    def ready(self):
        from auditlog.registry import auditlog

        from detainees import meeting_days, retention, services
        from detainees.demo import seed_held_now, seed_people
        from detainees.models import (
            MEETING_DAYS,
            DetentionSpell,
            Person,
            PersonGroupObjectPermission,
            PersonUserObjectPermission,
        )
        from move.accounts import access_changes, navigation
        from move.accounts.demo import register_seeder
        from move.privacy.registry import register_known_names
        from move.privacy.views import register_job_kind
        from visits import linkers, panels

        # The history of case files; identities are kept out (encrypted, and each of
        # their reads is in the access log instead).
        auditlog.register(Person, exclude_fields=["version", "updated_at", *MEETING_DAYS])
        auditlog.register(DetentionSpell)
        register_known_names(services.known_names)
        access_changes.register_shares(
            PersonGroupObjectPermission,
            PersonUserObjectPermission,
            thing=_("case file %(object)s"),
            labels={"view_identity": _("the identity of case file %(object)s")},
        )
        retention.register()
        meeting_days.connect()
        register_job_kind(
            "subject_access", _("Export of everything held on a person"), services.may_take_export
        )
        register_seeder(seed_people)
        register_seeder(seed_held_now)
        navigation.register("detainees:person-list", _("People"), "detainees.view_person", 25)
        panels.register_visit_panel("detainees/visit_people.html", services.visit_panel)
        # Case-file codes in a report's texts link to the file, for those who may open it.
        linkers.register_code_linker(
            pattern=r"P-\d{4}-\d{4,}",
            model=Person,
            code_field="code",
            url_name="detainees:person-detail",
            url_field="key",
            url_kwarg="key",
        )
