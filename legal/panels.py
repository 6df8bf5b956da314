"""What the help desk adds to the pages of lower apps (DESIGN.md §2: they never import
legal): "Ask the lawyer" on a case file and on a submitted visit report, and on a case
file the help requests about it."""

from legal.models import HelpRequest
from move.accounts import permissions

PERSON_PANEL = "legal/request_person_panel.html"
REPORT_PANEL = "legal/request_report_panel.html"


def register() -> None:
    from detainees.panels import register_person_panel
    from visits.panels import register_report_panel

    register_person_panel(PERSON_PANEL, person_panel)
    register_report_panel(REPORT_PANEL, report_panel)


def person_panel(request, person) -> dict | None:
    """A visitor who may ask: the link, and the requests about this file they follow;
    legal: the requests linked to the file (one query, the requests read)."""
    user = request.user
    may_ask = permissions.has_perm(user, "legal.ask_help")
    if not may_ask and not permissions.may_answer_help_request(user):
        return None
    linked = list(
        HelpRequest.objects.visible_to(user)
        .filter(person=person)
        .only("code", "key", "subject", "language", "status", "created_at")
        .order_by("-created_at", "-pk")
    )
    statuses = dict(HelpRequest.Status.choices)
    for item in linked:
        item.status_label = statuses[item.status]
    return {"may_ask": may_ask, "linked_requests": linked, "asked_about": person.key}


def report_panel(request, report) -> dict | None:
    """The link to ask about a submitted report, for those who may ask."""
    if report.status == "draft" or not permissions.has_perm(request.user, "legal.ask_help"):
        return None
    return {"asked_about": report.code}
