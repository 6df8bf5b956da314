"""Query budget of the centre pages (DESIGN.md §9): at most 8 SQL queries, and the
same number whatever the number of centres and figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.centres.conftest import page
from tests.conftest import sign_in

BUDGET = 8


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        page(client.get(url))
    return [query["sql"] for query in queries.captured_queries]


def list_url(centre):
    return reverse("centres:centre-list")


def detail_url(centre):
    return reverse("centres:centre-detail", args=[centre.code])


PAGES = [pytest.param(list_url, id="list"), pytest.param(detail_url, id="detail")]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["coordinator", "visitor_a"])
def test_a_centre_page_costs_as_many_queries_for_15_centres_as_for_1(
    url, persona, request, client, centre, more_centres
):
    sign_in(client, request.getfixturevalue(persona))
    client.get(url(centre))  # the first request of a session records it
    few = count_queries(client, url(centre))
    more_centres(14)
    many = count_queries(client, url(centre))
    assert len(few) == len(many), "\n".join(many)


@pytest.mark.parametrize("url", PAGES)
def test_a_centre_page_reads_the_centres_in_two_queries_and_the_memberships_once(
    url, client, coordinator, centre, more_centres
):
    more_centres(14)
    sign_in(client, coordinator)
    client.get(url(centre))
    queries = count_queries(client, url(centre))
    assert len([sql for sql in queries if '"centres_' in sql]) == 2
    assert len([sql for sql in queries if '"accounts_membership"' in sql]) == 1


@pytest.mark.parametrize("url", PAGES)
def test_a_centre_page_costs_at_most_8_queries(
    url, client, coordinator, centre, more_centres, django_assert_max_num_queries
):
    more_centres(14)
    sign_in(client, coordinator)
    client.get(url(centre))
    with django_assert_max_num_queries(BUDGET):
        page(client.get(url(centre)))
