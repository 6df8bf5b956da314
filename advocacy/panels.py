"""What the points of attention add to a submitted visit report's page (DESIGN.md §2:
visits never imports advocacy): for those who raise points, "Raise as a point of
attention" for each observation flagged (or for the report), and for readers of points
the points each observation already feeds, read in one query for the whole report."""

from advocacy import points
from move.accounts import permissions

REPORT_PANEL = "advocacy/report_panel.html"


def register() -> None:
    from visits.panels import register_report_panel

    register_report_panel(REPORT_PANEL, report_panel)


def report_panel(request, report) -> dict | None:
    user = request.user
    if report.status == "draft" or not permissions.has_perm(user, "advocacy.view_point"):
        return None
    may_raise = permissions.has_perm(user, "advocacy.raise_point")
    observations = list(report.observations.all())  # prefetched by the report's page
    feeds = points.points_of_observations(user, [o.pk for o in observations])
    rows = []
    for number, observation in enumerate(observations, start=1):
        fed = feeds.get(observation.pk, [])
        if fed or (may_raise and observation.raise_with_authorities):
            rows.append(
                {
                    "number": number,
                    "position": observation.position,
                    "theme": observation.theme,
                    "flagged": observation.raise_with_authorities,
                    "points": fed,
                }
            )
    if not rows and not (may_raise and observations):
        return None
    return {"report_code": report.code, "may_raise": may_raise, "observations": rows}
