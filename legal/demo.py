"""Placeholder: replaced by the helper that owns this file."""


def seed_help_requests() -> None:
    pass
