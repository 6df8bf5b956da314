"""Conditions written out around the query's own columns (move/written.py) stay right
when the query becomes a subquery, where Django renames its tables (U0): the searched
words of reports and requests, and a lawyer's languages. Written with the table's own
name, they failed there ("invalid reference to FROM-clause entry")."""

import pytest
from django.db import connection

from legal import search as request_search
from legal.models import Bar, HelpRequest, Lawyer
from visits import search as report_search
from visits.models import VisitReport

pytestmark = pytest.mark.django_db


def test_a_lawyers_languages_as_a_subquery():
    bar = Bar.objects.get(code="brussels-nl")
    found = Lawyer.objects.create(
        name="Found", bar=bar, languages="fr nl", regions="brussels", email="f@example.be"
    )
    Lawyer.objects.create(name="Not", bar=bar, languages="fr", regions="brussels", email="n@x.be")
    speaking = Lawyer.objects.speaking("nl").in_region("brussels")
    outer = Lawyer.objects.filter(pk__in=speaking.values("pk"))
    assert "U0" in str(outer.query)
    assert list(outer) == [found]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search: PostgreSQL")
def test_searched_words_as_a_subquery():
    reports = report_search.matching(VisitReport.objects.all(), "isolement")
    requests = request_search.matching(HelpRequest.objects.all(), "recours")
    assert list(VisitReport.objects.filter(pk__in=reports.values("pk"))) == []
    assert list(HelpRequest.objects.filter(pk__in=requests.values("pk"))) == []


def test_a_columns_own_parameters_stand_where_the_column_stands():
    """An expression given as a column may carry parameters: they go where the column
    stands in the SQL, between the template's own, not after them all."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from move.written import Condition

    bar = Bar.objects.get(code="brussels-nl")
    Lawyer.objects.create(name="Ann", bar=bar, languages="nl", regions="brussels", email="a@x.be")
    # Concat(name, "-x") compiles with the parameter "-x": it must bind after "Ann" and
    # before "nl", as the placeholders stand.
    condition = Condition(
        "{0} = %s AND {1} = %s AND {0} <> %s",
        ("Ann", "Ann-x", "nl"),
        "name",
        Concat("name", Value("-x")),
    )
    assert Lawyer.objects.filter(Condition("{0} = %s", ("Ann",), "name")).count() == 1
    swapped = Condition(
        "{1} = %s AND {0} = %s", ("Ann-x", "Ann"), "name", Concat("name", Value("-x"))
    )
    assert Lawyer.objects.filter(swapped).count() == 1
    assert Lawyer.objects.filter(condition).count() == 1
    with pytest.raises(ValueError):
        Condition("{0} = %s", (), "name")
