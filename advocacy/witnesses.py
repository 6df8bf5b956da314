"""STUB (issue 12 contract): the witness pool's work, written by the witness helper."""


def export(job_pk, witness_pk):
    raise NotImplementedError


def remind_expiring_consents(today) -> int:
    raise NotImplementedError


def tell_take_down(use_pk) -> None:
    raise NotImplementedError
