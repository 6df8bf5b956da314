"""STUB (issue 11 contract): the newsletter's services, written by the newsletter helper.

send(newsletter_pk) -> dict            render + store both PDFs, one Delivery per subscribed
                                       lawyer, e-mail the missing ones; idempotent.
remind_quarter_end(today) -> int       the beat reminder to legal.
"""


def send(newsletter_pk: int) -> dict:
    raise NotImplementedError


def remind_quarter_end(today) -> int:
    raise NotImplementedError


def unsubscribe_token(lawyer) -> str:
    """CONTRACT: the signed token of the lawyer's one-click unsubscribe link."""
    raise NotImplementedError
