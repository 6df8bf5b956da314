"""Points of attention (issue 12): their statuses and the moves between them, who may own
one, raising observations of a report as a new point or into an existing one, and the
points that each observation of a report already feeds. Views, forms and the demo call
these; the access rules themselves are asked of move/accounts/permissions.py."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.models import PointOfAttention
from move.accounts import permissions
from visits.models import VisitReport

Status = PointOfAttention.Status

# Where a point may go from each status (staying where it is is always allowed). A point
# resolved or dropped is only reopened, back to open.
MOVES = {
    Status.OPEN: {Status.RAISED, Status.DROPPED},
    Status.RAISED: {Status.ANSWERED, Status.RESOLVED, Status.DROPPED},
    Status.ANSWERED: {Status.RAISED, Status.RESOLVED, Status.DROPPED},
    Status.RESOLVED: {Status.OPEN},
    Status.DROPPED: {Status.OPEN},
}

STATUS_HELP = gettext_lazy(
    "An open point is raised at a meeting, then answered, then resolved; it may be dropped "
    "at any time. A resolved or dropped point can only be reopened (back to open)."
)


def may_move(current: str, new: str) -> bool:
    return new == current or new in MOVES.get(current, set())


def check_move(current: str, new: str) -> None:
    """ValidationError (on the status) unless the point may go from `current` to `new`."""
    if may_move(current, new):
        return
    labels = dict(Status.choices)
    allowed = [str(labels[s]).lower() for s in Status.values if s in MOVES[current]]
    raise ValidationError(
        {
            "status": _(
                "A point that is %(current)s can only become %(allowed)s, or stay as it is."
            )
            % {"current": str(labels[current]).lower(), "allowed": _(" or ").join(allowed)}
        }
    )


def possible_owners():
    """Active people holding advocacy.change_point in an active organisation."""
    return permissions.holders("advocacy.change_point").order_by("first_name", "last_name", "email")


def person_label(user) -> str:
    return user.get_full_name() or user.email


# --- Raising observations of a report --------------------------------------------------


def raisable_report(user, code):
    """The submitted (or shared) report `code` that `user` reads and may raise points
    from: None when they do not find it (a draft, not readable, no point reader: 404);
    PermissionDenied (403) when they read it but do not raise points."""
    if not permissions.has_perm(user, "advocacy.view_point"):
        return None
    report = (
        VisitReport.objects.visible_to(user)
        .exclude(status=VisitReport.Status.DRAFT)
        .select_related("visit__centre")
        .filter(code=code)
        .first()
    )
    if report is not None:
        permissions.require(user, "advocacy.raise_point")
    return report


def open_points(user, theme_id=None):
    """The points still open that observations may be added to, those of `theme_id` first."""
    points = list(
        PointOfAttention.objects.visible_to(user)
        .still_open()
        .select_related("theme")
        .order_by("-created_at", "-pk")
    )
    return sorted(points, key=lambda point: point.theme_id != theme_id)


def raise_observations(
    report, observations, *, by, point=None, title="", description="", theme=None, centres=()
):
    """Link `observations` (of `report`) to `point`, or to a new point made of `title`,
    `description`, `theme` and `centres`; one transaction. An observation already linked
    stays linked once. Returns the point."""
    permissions.require(by, "advocacy.raise_point")
    if not observations:
        raise ValidationError(_("Choose at least one observation to raise."))
    if any(observation.report_id != report.pk for observation in observations):
        raise ValidationError(_("Only the observations of this report can be raised from it."))
    with transaction.atomic():
        if point is None:
            point = PointOfAttention.objects.create(
                title=title, description=description, theme=theme, created_by=by
            )
        else:
            point = PointOfAttention.objects.select_for_update().get(pk=point.pk)
            if point.status in PointOfAttention.CLOSED:
                raise ValidationError(
                    _("This point is resolved or dropped: add the observations to an open one.")
                )
        point.observations.add(*observations)
        point.centres.add(*(centres or {o.centre_id for o in observations}))
        point.save(update_fields=["updated_at"])
    return point


def points_of_observations(user, observation_ids) -> dict[int, list[dict]]:
    """{observation id: [{code, key, title}]}: the points each observation feeds, in one
    query; nothing for those who do not read points."""
    if not observation_ids or not permissions.has_perm(user, "advocacy.view_point"):
        return {}
    links = (
        PointOfAttention.observations.through.objects.filter(observation_id__in=observation_ids)
        .order_by("pointofattention__code")
        .values_list(
            "observation_id",
            "pointofattention__code",
            "pointofattention__key",
            "pointofattention__title",
        )
    )
    found: dict[int, list[dict]] = {}
    for observation_id, code, key, title in links:
        found.setdefault(observation_id, []).append({"code": code, "key": key, "title": title})
    return found
