"""The lawyer directory's indexes (legal migration 0007) are ones its queries can read:
with scans of the whole table and of the name index forbidden, PostgreSQL still answers
a search by name from the trigram indexes. An index whose expression differed from the
query's (UPPER(name) against UPPER(name::text), say) would leave only the forbidden
scans."""

import pytest
from django.db import connection
from django.http import QueryDict

from legal.directory_forms import LawyerFilterForm
from legal.models import Bar, Lawyer, Speciality
from tests.factories import CentreFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


@pytest.fixture
def centre():
    return CentreFactory(code="merksplas-test", name_fr="Merksplas", name_nl="Merksplas")


@pytest.fixture
def lawyers(centre):
    bar = Bar.objects.get(code="antwerp")
    detention = Speciality.objects.get(code="detention")
    made = []
    for n in range(40):
        lawyer = Lawyer.objects.create(
            name=f"Maître Claes {n}" if n % 4 == 0 else f"Meester Peeters {n}",
            firm="Claes & Co" if n % 5 == 0 else "",
            bar=bar,
            languages="fr nl" if n % 2 else "nl",
            email=f"lawyer{n}@example.be",
        )
        lawyer.specialities.add(detention)
        lawyer.centres.add(centre)
        made.append(lawyer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE legal_lawyer, legal_lawyer_specialities, legal_lawyer_centres")
    return made


def plan(query: dict) -> str:
    form = LawyerFilterForm(QueryDict(mutable=True) | query)
    lawyers = form.apply(Lawyer.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            return lawyers.values("pk").explain()
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_indexscan = on")


def test_a_search_by_name_reads_the_trigram_indexes(lawyers):
    text = plan({"q": "claes"})
    assert "lawyer_name_trgm" in text and "lawyer_firm_trgm" in text
    assert "Seq Scan on legal_lawyer " not in text


def test_the_links_are_indexed_by_speciality_and_by_centre_first():
    # Read alone (index-only) to find the lawyers of a speciality in a centre; with 5,000
    # lawyers (bench_lawyers) PostgreSQL merges the two, as forbidding scans cannot show
    # with a few rows (forbidding index scans forbids index-only ones too).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('lawyer_speciality_first', 'lawyer_centre_first')"
        )
        found = dict(cursor.fetchall())
    assert (
        "legal_lawyer_specialities USING btree (speciality_id, lawyer_id)"
        in (found["lawyer_speciality_first"])
    )
    assert "legal_lawyer_centres USING btree (centre_id, lawyer_id)" in found["lawyer_centre_first"]
