"""The access log's only writer: who read or handled whose personal data, from where."""

from move.privacy.models import AccessLogEntry


def record(user, action: str, subject: str, page: str = "", detail: str = "") -> AccessLogEntry:
    """Append one entry. `subject` is the person's code (never a name); `page` the
    address the data was read on, which says why."""
    return AccessLogEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        user_label=getattr(user, "email", "") or "system",
        action=action,
        subject=subject,
        page=page[:300],
        detail=detail[:300],
    )
