import datetime

import pytest

from detainees import services
from detainees.models import DetentionSpell, Person
from move.centres.models import Centre
from tests.factories import CentreFactory
from visits.models import Visit


@pytest.fixture
def centre(db):
    return CentreFactory(code="merksplas-test", name_fr="Merksplas", name_nl="Merksplas")


@pytest.fixture
def other_centre(db):
    return CentreFactory(code="vottem-test", name_fr="Vottem", name_nl="Vottem")


def held_since(days):
    return datetime.date.today() - datetime.timedelta(days=days)


@pytest.fixture
def visit_a(visitor_a, centre):
    """A visit done last week by visitor_a (org_a)."""
    visit = Visit.objects.create(centre=centre, date=held_since(7), status=Visit.Status.DONE)
    visit.visitors.add(visitor_a)
    return visit


@pytest.fixture
def visit_b(visitor_b, centre):
    visit = Visit.objects.create(centre=centre, date=held_since(6), status=Visit.Status.DONE)
    visit.visitors.add(visitor_b)
    return visit


def new_person(user, organisation, centre=None, since=30, name=("Amina", "Benali"), **fields):
    person = Person(organisation=organisation, **fields)
    spell = {"centre": centre, "start": held_since(since)} if centre else None
    identity = {"given_names": name[0], "surname": name[1]} if name else None
    return services.create_person(user, person, identity=identity, spell=spell)


@pytest.fixture
def person_a(visitor_a, org_a, centre):
    """A case file of org_a, held in `centre` for 30 days, with an identity."""
    return new_person(visitor_a, org_a, centre, birth_year=1990, nationality="MA", sex="f")


def spell(person, centre, start, end=None, **fields):
    return DetentionSpell.objects.create(
        person=person, centre=centre, start=start, end=end, **fields
    )


__all__ = ["Centre", "spell"]
