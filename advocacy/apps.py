from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = _("Advocacy")

    def ready(self):
        from advocacy import meetings, panels, witnesses
        from advocacy import retention as witness_retention
        from advocacy.demo import seed_advocacy
        from move.accounts import navigation
        from move.accounts.demo import register_seeder

        navigation.register(
            "advocacy:point-list", _("Points of attention"), "advocacy.view_point", 40
        )
        navigation.register(
            "advocacy:meeting-list",
            _("Meetings with the authorities"),
            "advocacy.view_point",
            41,
        )
        navigation.register(
            "advocacy:exchange-list", _("Exchange meetings"), "advocacy.view_exchange_meeting", 42
        )
        navigation.register("advocacy:witness-list", _("Witness pool"), "advocacy.view_witness", 44)
        navigation.register(
            "advocacy:testimony-list", _("Testimonies"), "advocacy.view_testimony", 45
        )
        register_seeder(seed_advocacy)
        meetings.register()  # the PDF jobs of the meetings
        witnesses.register_job_kind()  # the subject-access export of a witness
        witness_retention.register()
        panels.register()  # "Raise as a point of attention" on a report's page
