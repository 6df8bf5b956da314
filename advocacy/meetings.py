"""STUB (issue 12 contract): meetings with the authorities, written by the meetings helper."""


def make_pdf(job_pk, meeting_pk, document, language):
    raise NotImplementedError


def remind_follow_ups(today) -> int:
    raise NotImplementedError
