"""Retention rules of the case files (filled in by the retention work)."""


def register() -> None:
    pass
