"""STUB (issue 11 contract): hearing reminders, written by the litigation helper."""


def remind_hearings(now) -> int:
    raise NotImplementedError
