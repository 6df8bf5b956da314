"""STUB (issue 12 contract): the demo's advocacy records, written by the demo helper."""


def seed_advocacy() -> None:
    """Called by `manage.py seed_demo` after the legal library; idempotent."""
