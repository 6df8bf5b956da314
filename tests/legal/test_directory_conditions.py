"""The lawyer directory's conditions written out (legal/library.py: has_code, linked_to)
select what the ORM's lookups select (the four lookups has_code was, a filter across the
links), on tricky codes and values, with the LIKE wildcards escaped."""

import pytest
from django.db.models import Q

from legal.library import has_code, linked_to
from legal.models import Bar, Lawyer, Speciality
from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db

VALUES = ["nl", "fr nl", "nl fr", "fr nl de", "nld", "xnl", "n_", "nl%", "n% x", "", "de fr"]
CODES = ["nl", "n", "l", "fr", "de", "_l", "n%", "n_", "%", "nl fr"]


def by_lookups(field: str, code: str) -> Q:
    """has_code as it was written with the ORM: the reference."""
    return (
        Q(**{field: code})
        | Q(**{f"{field}__startswith": f"{code} "})
        | Q(**{f"{field}__endswith": f" {code}"})
        | Q(**{f"{field}__contains": f" {code} "})
    )


@pytest.fixture
def lawyers():
    bar = Bar.objects.get(code="antwerp")
    return [
        Lawyer.objects.create(
            name=f"Lawyer {n}", bar=bar, languages=value, regions=value, email=f"l{n}@example.be"
        )
        for n, value in enumerate(VALUES)
    ]


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("field", ["languages", "regions"])
def test_has_code_selects_what_the_four_lookups_select(lawyers, code, field):
    written = set(Lawyer.objects.filter(has_code(field, code)).values_list("pk", flat=True))
    orm = set(Lawyer.objects.filter(by_lookups(field, code)).values_list("pk", flat=True))
    assert written == orm


def test_linked_to_selects_the_lawyers_of_a_speciality_or_a_centre(lawyers):
    detention, asylum = Speciality.objects.all()[:2]
    centre, other = CentreFactory(), CentreFactory()
    lawyers[0].specialities.add(detention, asylum)
    lawyers[1].specialities.add(detention)
    lawyers[2].specialities.add(asylum)
    lawyers[0].centres.add(centre)
    lawyers[2].centres.add(centre, other)
    for link, row in (("specialities", detention), ("specialities", asylum), ("centres", centre)):
        written = Lawyer.objects.filter(pk__in=linked_to(Lawyer, link, row.pk))
        orm = Lawyer.objects.filter(Q(**{link: row.pk}))
        assert sorted(written.values_list("pk", flat=True)) == sorted(
            orm.values_list("pk", flat=True)
        )
        assert written.exists()
