from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self):
        from auditlog.registry import auditlog

        from move.accounts import access_changes, home, navigation
        from move.accounts.demo import register_seeder
        from visits import editing, listing, search  # noqa: F401  (their signal handlers)
        from visits.demo import seed_reports, seed_themes, seed_visits
        from visits.models import (
            Observation,
            VisitReport,
            VisitReportGroupObjectPermission,
            VisitReportUserObjectPermission,
        )
        from visits.views import home_gaps

        # The history of submitted reports (drafts are kept out, see visits/editing.py).
        auditlog.register(VisitReport, include_fields=list(editing.HISTORY_FIELDS))
        auditlog.register(Observation, include_fields=list(editing.OBSERVATION_FIELDS))
        access_changes.register_shares(
            VisitReportGroupObjectPermission,
            VisitReportUserObjectPermission,
            thing=_("the report of the visit %(object)s"),
        )

        register_seeder(seed_themes)
        register_seeder(seed_visits)
        register_seeder(seed_reports)
        navigation.register("visits:visit-list", _("Visits"), "visits.view_visit", 20)
        navigation.register("visits:coverage", _("Coverage"), "visits.view_visit", 21)
        navigation.register("visits:report-list", _("Reports"), "visits.read_reports", 22)
        home.register_panel("visits/home_gaps.html", home_gaps, "visits.view_visit", 10)
