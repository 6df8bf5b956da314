"""STUB (issue 12 contract): the witness pool's services, written by the witness helper.

record_use(testimony, *, scope, used_on, by, publication="", link="", anonymity=None) -> Use
    raises django.core.exceptions.ValidationError when the consent does not allow it.
"""


def record_use(testimony, *, scope, used_on, by, publication="", link="", anonymity=None):
    raise NotImplementedError
