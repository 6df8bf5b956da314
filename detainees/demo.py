"""Demo people (filled in by the demo work)."""


def seed_people() -> None:
    pass
