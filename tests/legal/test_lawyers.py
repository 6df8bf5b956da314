"""The lawyer directory (issue 11): every internal role searches it and reads a lawyer's
page; legal and the coordinators keep it. A partner does not find a lawyer (404) and is
refused the list (403); a visitor is refused the keeping (403). Phones are stored as
E.164 and shown in the international format; e-mail addresses are unique whatever their
case; a subscription needs its legal basis and starts today unless a date is given."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legal.directory_forms import e164, international
from legal.models import Bar, Lawyer, Speciality
from tests.conftest import sign_in
from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db

LIST = reverse("legal:lawyer-list")
CREATE = reverse("legal:lawyer-create")
READERS = ["visitor_a", "visitor_b", "legal", "coordinator", "advocacy", "witness_pool"]
KEEPERS = ["legal", "coordinator"]
NOT_KEEPERS = ["visitor_a", "advocacy", "witness_pool"]


def make_lawyer(name="Maître Dubois", bar="antwerp", specialities=(), centres=(), **fields):
    fields.setdefault("email", name.lower().replace(" ", ".").replace("î", "i") + "@example.be")
    lawyer = Lawyer.objects.create(name=name, bar=Bar.objects.get(code=bar), **fields)
    lawyer.specialities.set(Speciality.objects.filter(code__in=specialities))
    lawyer.centres.set(centres)
    return lawyer


def detail(lawyer):
    return reverse("legal:lawyer-detail", kwargs={"key": lawyer.key})


def update(lawyer):
    return reverse("legal:lawyer-update", kwargs={"key": lawyer.key})


def as_(client, request, name):
    return sign_in(client, request.getfixturevalue(name))


def names(response) -> list[str]:
    """The names listed, in order (each row's link to the lawyer's page)."""
    import re

    html = response.content.decode()
    body = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
    return re.findall(r'<a href="/[^"]*/lawyers/[0-9a-f-]+/">([^<]+)</a>', body)


@pytest.fixture
def merksplas(centre):
    """tests/detainees/conftest.py's centre, named Merksplas."""
    return centre


@pytest.fixture
def directory(merksplas, other_centre):
    """Four lawyers: the one the visitor looks for (Dutch, detention, Merksplas), and
    three who each miss one of those."""
    return {
        "wanted": make_lawyer(
            "An Peeters",
            bar="turnhout",
            languages="nl en",
            specialities=["detention", "asylum"],
            centres=[merksplas],
            regions="antwerp",
            legal_aid=True,
            phone="+3214123456",
            firm="Advocatenkantoor Kempen",
        ),
        "french": make_lawyer(
            "Claire Dubois",
            bar="brussels-fr",
            languages="fr",
            specialities=["detention"],
            centres=[merksplas],
            subscribed=True,
            subscription_basis=Lawyer.Basis.CONSENT,
        ),
        "asylum": make_lawyer(
            "Bram Janssens",
            bar="antwerp",
            languages="nl",
            specialities=["asylum"],
            centres=[merksplas],
        ),
        "elsewhere": make_lawyer(
            "Dirk Maes",
            bar="liege-huy",
            languages="nl fr",
            specialities=["detention"],
            centres=[other_centre],
            regions="liege",
        ),
    }


# --- Who may do what -------------------------------------------------------------------


@pytest.mark.parametrize("persona", READERS)
def test_every_internal_role_searches_the_directory_and_reads_a_lawyer(
    persona, request, client, directory
):
    as_(client, request, persona)
    assert client.get(LIST).status_code == 200
    assert client.get(detail(directory["wanted"])).status_code == 200


def test_a_partner_is_refused_the_list_and_does_not_find_a_lawyer(client, partner, directory):
    sign_in(client, partner)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(directory["wanted"])).status_code == 404
    assert client.get(update(directory["wanted"])).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(client, directory):
    for url in (LIST, detail(directory["wanted"]), CREATE, update(directory["wanted"])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", NOT_KEEPERS)
def test_other_roles_are_refused_the_keeping_of_the_directory(persona, request, client, directory):
    as_(client, request, persona)
    lawyer = directory["wanted"]
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data()).status_code == 403
    assert client.get(update(lawyer)).status_code == 403
    assert client.post(update(lawyer), form_data(email=lawyer.email)).status_code == 403
    assert Lawyer.objects.count() == 4
    assert b"Add a lawyer" not in client.get(LIST).content


def test_a_nonexistent_lawyer_is_not_found(client, legal):
    sign_in(client, legal)
    key = "00000000-0000-0000-0000-000000000001"
    assert client.get(reverse("legal:lawyer-detail", kwargs={"key": key})).status_code == 404


# --- The list: search and filters ------------------------------------------------------


def test_the_list_is_by_name_with_every_lawyer(client, visitor_a, directory):
    sign_in(client, visitor_a)
    response = client.get(LIST)
    assert names(response) == ["An Peeters", "Bram Janssens", "Claire Dubois", "Dirk Maes"]
    assert b"4 lawyers found" in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "peet"}, ["An Peeters"]),
        ({"q": "KEMPEN"}, ["An Peeters"]),  # the firm
        ({"language": "nl"}, ["An Peeters", "Bram Janssens", "Dirk Maes"]),
        ({"language": "en"}, ["An Peeters"]),
        ({"bar": "brussels-fr"}, ["Claire Dubois"]),
        ({"speciality": "asylum"}, ["An Peeters", "Bram Janssens"]),
        ({"centre": "vottem-test"}, ["Dirk Maes"]),
        ({"region": "liege"}, ["Dirk Maes"]),
        ({"legal_aid": "yes"}, ["An Peeters"]),
        ({"legal_aid": "no"}, ["Bram Janssens", "Claire Dubois", "Dirk Maes"]),
        ({"subscribed": "yes"}, ["Claire Dubois"]),
        ({"subscribed": "no"}, ["An Peeters", "Bram Janssens", "Dirk Maes"]),
        (
            {"language": "nl", "centre": "merksplas-test", "speciality": "detention"},
            ["An Peeters"],
        ),
        ({"q": "nobody"}, []),
    ],
)
def test_the_filters_find_the_lawyers_that_match(client, visitor_a, directory, query, expected):
    sign_in(client, visitor_a)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_an_unsubscribed_lawyer_is_not_counted_as_subscribed(client, legal, directory):
    Lawyer.objects.filter(pk=directory["french"].pk).update(
        unsubscribed_on=datetime.date(2025, 1, 1)
    )
    sign_in(client, legal)
    assert names(client.get(LIST, {"subscribed": "yes"})) == []
    assert "Claire Dubois" in names(client.get(LIST, {"subscribed": "no"}))


def test_a_filter_that_cannot_be_read_is_left_out_and_said(client, visitor_a, directory):
    sign_in(client, visitor_a)
    response = client.get(LIST, {"language": "xx", "centre": "atlantis"})
    assert response.status_code == 200
    assert len(names(response)) == 4
    assert b"Some filters could not be read" in response.content


def test_an_inactive_centre_is_not_offered_but_its_lawyers_stay_listed(
    client, visitor_a, directory, other_centre
):
    other_centre.active = False
    other_centre.save()
    sign_in(client, visitor_a)
    html = client.get(LIST).content.decode()
    assert 'value="vottem-test"' not in html
    assert "Dirk Maes" in html


def test_the_list_pages_by_fifty(client, visitor_a, legal):
    bar = Bar.objects.get(code="antwerp")
    Lawyer.objects.bulk_create(
        Lawyer(name=f"Lawyer {n:03d}", bar=bar, email=f"l{n}@example.be") for n in range(51)
    )
    sign_in(client, visitor_a)
    first = client.get(LIST, {"q": "Lawyer"})
    assert len(names(first)) == 50
    assert b"Lawyers 1 to 50 \xc2\xb7 more on the next page" in first.content
    assert 'href="?q=Lawyer&amp;page=2#results"' in first.content.decode()
    second = client.get(LIST, {"q": "Lawyer", "page": "2"})
    assert names(second) == ["Lawyer 050"]
    assert b"Lawyers 51 to 51" in second.content
    assert 'href="?q=Lawyer&amp;page=1#results"' in second.content.decode()
    assert client.get(LIST, {"page": "nonsense"}).status_code == 200


# --- The list on a phone: two taps -----------------------------------------------------


def quick_link(html: str, text: str) -> str:
    import re
    from html import unescape

    found = re.search(
        r'<a href="(\?[^"]*)"(?: aria-current="true")?>' + re.escape(text) + "</a>", html
    )
    assert found, f"no quick link {text!r}"
    return unescape(found[1])


def test_a_visitor_finds_a_dutch_speaking_detention_lawyer_near_merksplas_in_two_taps(
    client, visitor_a, directory
):
    sign_in(client, visitor_a)
    first = client.get(LIST).content.decode()
    near = client.get(LIST + quick_link(first, "Merksplas"))
    assert names(near) == ["An Peeters", "Claire Dubois"]  # detention lawyers at Merksplas
    dutch = client.get(LIST + quick_link(near.content.decode(), "Dutch"))
    assert names(dutch) == ["An Peeters"]
    html = dutch.content.decode()
    assert 'href="tel:+3214123456"' in html
    assert "+32 14 12 34 56" in html
    assert 'href="mailto:an.peeters@example.be"' in html
    assert 'aria-current="true">Merksplas</a>' in html
    assert 'aria-current="true">Dutch</a>' in html


# --- Query counts ----------------------------------------------------------------------


def many_lawyers(count, merksplas):
    bar = Bar.objects.get(code="antwerp")
    detention, asylum = Speciality.objects.filter(code__in=["detention", "asylum"])
    made = Lawyer.objects.bulk_create(
        Lawyer(
            name=f"Lawyer {n:03d}",
            bar=bar,
            email=f"l{n}@example.be",
            languages="nl fr",
            phone="+3232211333",
        )
        for n in range(count)
    )
    for lawyer in made:
        lawyer.specialities.set([detention, asylum])
        lawyer.centres.set([merksplas])


@pytest.mark.parametrize("count", [2, 30])
@pytest.mark.parametrize(
    "query", [{}, {"language": "nl", "centre": "merksplas-test", "speciality": "detention"}]
)
def test_the_list_costs_the_same_few_queries_whatever_its_length(
    client, visitor_a, merksplas, count, query
):
    many_lawyers(count, merksplas)
    sign_in(client, visitor_a)
    client.get(LIST)  # the reference rows read once by the process, as in production
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, query)
    assert len(names(response)) == count
    assert len(queries) <= 6, [q["sql"] for q in queries]


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_costs_at_most_eight_queries_on_a_cold_process(
    client, visitor_a, merksplas, count, django_assert_max_num_queries
):
    many_lawyers(count, merksplas)
    sign_in(client, visitor_a)
    client.get(reverse("home"))  # a page before: the session is under way
    with django_assert_max_num_queries(8):
        client.get(LIST)


def test_the_pages_of_one_lawyer_cost_at_most_eight_queries(
    client, legal, directory, django_assert_max_num_queries
):
    sign_in(client, legal)
    client.get(reverse("home"))  # a page before: the session is under way
    lawyer = directory["wanted"]
    for url in (detail(lawyer), update(lawyer), CREATE, reverse("legal:lawyer-import")):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


# --- One lawyer ------------------------------------------------------------------------


def test_a_lawyers_page_shows_how_to_reach_them(client, advocacy, directory):
    sign_in(client, advocacy)
    html = client.get(detail(directory["wanted"])).content.decode()
    assert 'href="tel:+3214123456"' in html
    assert "Call +32 14 12 34 56" in html
    assert 'href="mailto:an.peeters@example.be"' in html
    for shown in ("Turnhout", "Dutch, English", "Asylum, Immigration detention", "Merksplas"):
        assert shown in html
    assert "Edit" not in html  # advocacy reads, does not keep


def form_data(**fields):
    return {
        "name": "Sofie Wouters",
        "firm": "",
        "bar": Bar.objects.get(code="antwerp").pk,
        "email": "Sofie.Wouters@Example.be",
        "phone": "0470 12 34 56",
        "languages": ["nl", "en"],
        "specialities": [Speciality.objects.get(code="detention").pk],
        "centres": [],
        "regions": ["antwerp"],
        "notes": "",
        "subscription_basis": "",
        "subscribed_on": "",
        "newsletter_language": "nl",
        **fields,
    }


@pytest.mark.parametrize("persona", KEEPERS)
def test_legal_and_coordinators_add_a_lawyer(persona, request, client, merksplas):
    as_(client, request, persona)
    data = form_data(
        centres=[merksplas.pk],
        subscribed="on",
        subscription_basis=Lawyer.Basis.LEGITIMATE_INTEREST,
    )
    response = client.post(CREATE, data)
    lawyer = Lawyer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(lawyer)
    assert lawyer.email == "sofie.wouters@example.be"
    assert lawyer.phone == "+32470123456"
    assert lawyer.languages == "nl en"
    assert lawyer.regions == "antwerp"
    assert list(lawyer.centres.all()) == [merksplas]
    assert lawyer.specialities.get().code == "detention"
    assert lawyer.subscribed_on == timezone.localdate()
    assert lawyer.unsubscribed_on is None
    page = client.get(detail(lawyer)).content.decode()
    assert "+32 470 12 34 56" in page
    assert "was added to the directory" in page


def test_an_empty_form_is_shown_again_with_its_errors(client, legal):
    sign_in(client, legal)
    response = client.post(CREATE, {})
    assert response.status_code == 200
    assert b"Please correct the fields marked below" in response.content
    assert Lawyer.objects.count() == 0


def test_a_form_with_errors_keeps_what_was_typed_and_saves_nothing(client, legal, directory):
    sign_in(client, legal)
    response = client.post(
        CREATE,
        form_data(
            email="AN.PEETERS@example.be",  # taken, in other capitals
            phone="12345",
            subscribed="on",
            notes="Met at the bar's training",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Another lawyer of the directory, An Peeters, already has this e-mail address" in html
    assert "This is not a phone number we can call" in html
    assert "Say on which legal basis the newsletter is sent" in html
    assert 'value="Sofie Wouters"' in html
    assert "Met at the bar&#x27;s training" in html
    assert 'value="12345"' in html
    assert Lawyer.objects.count() == 4


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("+32 (0)3 221 13 33", "+3232211333"),
        ("0032 2 511 11 11", "+3225111111"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_phone_numbers_are_stored_as_e164(typed, stored):
    assert e164(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "call me", "+32 470", "0470 12 34 56 78 90"])
def test_a_number_that_cannot_be_called_is_refused(typed):
    with pytest.raises(ValueError):
        e164(typed)


def test_numbers_are_shown_in_the_international_format():
    assert international("+32470123456") == "+32 470 12 34 56"
    assert international("") == ""


@pytest.mark.parametrize("persona", KEEPERS)
def test_legal_and_coordinators_change_a_lawyer(persona, request, client, directory):
    as_(client, request, persona)
    lawyer = directory["wanted"]
    form = client.get(update(lawyer)).content.decode()
    assert 'value="+32 14 12 34 56"' in form  # shown as people read it
    assert 'value="nl" id="id_languages_1" checked' in form
    data = form_data(name="An Peeters-Claes", email=lawyer.email, phone="+32 14 12 34 56")
    response = client.post(update(lawyer), data)
    assert response.status_code == 302
    lawyer.refresh_from_db()
    assert lawyer.name == "An Peeters-Claes"
    assert lawyer.phone == "+3214123456"
    assert lawyer.centres.count() == 0
    assert Lawyer.objects.count() == 4


def test_a_lawyer_keeps_their_address_in_other_capitals(client, legal, directory):
    sign_in(client, legal)
    lawyer = directory["wanted"]
    response = client.post(update(lawyer), form_data(email="An.Peeters@Example.BE"))
    assert response.status_code == 302
    lawyer.refresh_from_db()
    assert lawyer.email == "an.peeters@example.be"


def test_a_subscription_ends_today_when_unticked(client, legal, directory):
    sign_in(client, legal)
    lawyer = directory["french"]
    data = form_data(email=lawyer.email, subscription_basis="consent")
    assert client.post(update(lawyer), data).status_code == 302
    lawyer.refresh_from_db()
    assert not lawyer.subscribed
    assert lawyer.unsubscribed_on == timezone.localdate()
    assert "Unsubscribed on" in client.get(detail(lawyer)).content.decode()


def test_editing_an_unsubscribed_lawyer_does_not_subscribe_them_again(client, legal, directory):
    lawyer = directory["french"]
    gone = datetime.date(2025, 2, 1)
    Lawyer.objects.filter(pk=lawyer.pk).update(
        unsubscribed_on=gone, subscribed_on=datetime.date(2022, 1, 1)
    )
    sign_in(client, legal)
    form = client.get(update(lawyer)).content.decode()
    assert 'name="subscribed" id="id_subscribed" checked' not in form
    assert "Unsubscribed on 1 February 2025" in form
    data = form_data(email=lawyer.email, subscription_basis="consent", phone="")
    assert client.post(update(lawyer), data).status_code == 302
    lawyer.refresh_from_db()
    assert lawyer.unsubscribed_on == gone
    assert not Lawyer.objects.subscribed().filter(pk=lawyer.pk).exists()


def test_subscribing_again_starts_a_new_subscription_today(client, legal, directory):
    lawyer = directory["french"]
    Lawyer.objects.filter(pk=lawyer.pk).update(
        unsubscribed_on=datetime.date(2025, 2, 1), subscribed_on=datetime.date(2022, 1, 1)
    )
    sign_in(client, legal)
    data = form_data(
        email=lawyer.email,
        subscribed="on",
        subscription_basis="consent",
        subscribed_on="2022-01-01",
    )
    assert client.post(update(lawyer), data).status_code == 302
    lawyer.refresh_from_db()
    assert lawyer.subscribed_on == timezone.localdate()
    assert lawyer.unsubscribed_on is None
    assert Lawyer.objects.subscribed().filter(pk=lawyer.pk).exists()


def test_a_subscription_date_given_is_kept(client, legal):
    sign_in(client, legal)
    data = form_data(subscribed="on", subscription_basis="consent", subscribed_on="2024-03-01")
    assert client.post(CREATE, data).status_code == 302
    assert Lawyer.objects.get().subscribed_on == datetime.date(2024, 3, 1)


def test_an_inactive_centre_a_lawyer_covers_is_still_offered_on_their_form(
    client, legal, directory, merksplas
):
    closed = CentreFactory(code="closed-centre", name_fr="Fermé", name_nl="Gesloten", active=False)
    lawyer = directory["wanted"]
    lawyer.centres.add(closed)
    sign_in(client, legal)
    form = client.get(update(lawyer)).content.decode()
    offered = f'name="centres" value="{closed.pk}"'
    assert offered in form
    assert offered not in client.get(CREATE).content.decode()
