"""What a request's deadlines say (templates/legal/request_deadlines.html): whether one
is done, passed or within 48 hours — in words, not by a colour alone — and why it
falls on its day, in the reader's language. No query."""

from datetime import datetime

from django import template
from django.utils import timezone

from legal import deadlines

register = template.Library()


@register.filter
def deadline_state(deadline) -> str:
    """ "done", "passed", "soon" (within 48 hours) or "" for one still well ahead."""
    if deadline.done:
        return "done"
    now = timezone.now()
    if deadlines.has_passed(deadline.due_at, now):
        return "passed"
    if deadlines.is_due_soon(deadline.due_at, now):
        return "soon"
    return ""


@register.filter
def deadline_reason(deadline) -> str:
    """Why the deadline falls on its day, said again in the reader's language; the
    words kept when it was added if the rule has changed since (its days or hours
    would no longer give the same day)."""
    rule = deadline.rule
    if rule.hours and deadline.notified_at is not None:
        moment = timezone.make_aware(datetime.combine(deadline.notified_on, deadline.notified_at))
        result = deadlines.explain_hours(moment, rule.hours)
        if result.due_at == deadline.due_at:
            return result.reason
    elif rule.days:
        result = deadlines.explain(deadline.notified_on, rule.days)
        # The same last day counted, not only the same due day: 30 days ending on a
        # Sunday and 31 days ending on the Monday after give one due day, two reasons.
        kept = [part for part in deadline.reason.split("; ") if part]
        if result.due_on == deadline.due_on and len(result.moves) == len(kept):
            return result.reason
    return deadline.reason
