"""Counting URL reversals during a request (tests of DESIGN §9's page costs)."""

from contextlib import contextmanager
from unittest import mock

from django.urls.resolvers import URLResolver


class Counter:
    count = 0


@contextmanager
def count_reversals():
    counter = Counter()
    original = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        counter.count += 1
        return original(self, *args, **kwargs)

    with mock.patch.object(URLResolver, "_reverse_with_prefix", counted):
        yield counter
