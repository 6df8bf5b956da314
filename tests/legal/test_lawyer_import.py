"""The directory's CSV import and export (issue 11): legal and the coordinators upload a
file, see every line checked (errors by line and column, new and updated lawyers), and
confirm; every line is saved or none; a lawyer found by e-mail is updated, not added
twice. Bad files get a clear message and change nothing. An export imports back as it
was, and no cell of it runs as a formula in a spreadsheet."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from legal import lawyer_import
from legal.models import Bar, Lawyer, Speciality
from tests.conftest import sign_in
from tests.legal.test_lawyers import make_lawyer

pytestmark = pytest.mark.django_db

IMPORT = reverse("legal:lawyer-import")
CONFIRM = reverse("legal:lawyer-import-confirm")
EXPORT = reverse("legal:lawyer-export")
LIST = reverse("legal:lawyer-list")

HEADER = (
    "name,firm,bar,email,phone,languages,specialities,legal_aid,centres,regions,"
    "subscribed,subscription_basis,subscribed_on,newsletter_language,notes"
)
GOOD = "\n".join(
    [
        HEADER,
        "An Peeters,Kantoor Kempen,turnhout,an.peeters@example.be,014 12 34 56,nl en,"
        "detention; asylum,yes,merksplas-test,antwerp,yes,consent,2024-03-01,nl,",
        "Claire Dubois,,Bruxelles (francophone),Claire.Dubois@Example.be,+32 470 12 34 56,fr,"
        'Détention administrative,no,,brussels,no,,,fr,"Prefers e-mail, not calls"',
        "",
    ]
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def keeper(client, legal):
    sign_in(client, legal)
    return client


def upload(client, text, name="lawyers.csv", encoding="utf-8"):
    raw = text.encode(encoding) if isinstance(text, str) else text
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, raw, "text/csv")})


def token_of(response) -> str:
    import re

    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "no confirm form"
    return found[1]


def stored_files(media) -> list[Path]:
    return list((media / "private" / lawyer_import.FOLDER).glob("*.csv"))


# --- Who may import and export ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["visitor_a", "advocacy", "witness_pool", "partner"])
def test_other_roles_are_refused_the_import_and_the_export(persona, request, client):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(IMPORT).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert Lawyer.objects.count() == 0


def test_the_import_page_lists_the_columns(keeper):
    html = keeper.get(IMPORT).content.decode()
    for column in lawyer_import.COLUMNS:
        assert f"<code>{column}</code>" in html
    assert "at most 2 MB" in html


# --- A good file -----------------------------------------------------------------------


def test_a_good_file_is_previewed_and_nothing_is_saved_before_confirming(keeper, media, centre):
    make_lawyer("Claire Dubois (old)", email="claire.dubois@example.be", bar="namur")
    response = upload(keeper, GOOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The file holds 2 lawyers" in html
    assert "1 new" in html
    assert "1 already in the directory, to update" in html
    assert "New lawyer" in html
    assert "Updates the lawyer with this e-mail address" in html
    assert "Import these 2 lawyers" in html
    assert Lawyer.objects.count() == 1
    assert Lawyer.objects.get().name == "Claire Dubois (old)"
    assert len(stored_files(media)) == 1


def test_confirming_saves_every_line_and_updates_by_e_mail(keeper, media, centre):
    old = make_lawyer("Claire Dubois (old)", email="claire.dubois@example.be", bar="namur")
    token = token_of(upload(keeper, GOOD))
    response = keeper.post(CONFIRM, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert Lawyer.objects.count() == 2
    an = Lawyer.objects.get(email="an.peeters@example.be")
    assert an.firm == "Kantoor Kempen"
    assert an.bar.code == "turnhout"
    assert an.phone == "+3214123456"
    assert an.languages == "nl en"
    assert sorted(an.specialities.values_list("code", flat=True)) == ["asylum", "detention"]
    assert list(an.centres.all()) == [centre]
    assert an.regions == "antwerp"
    assert an.legal_aid and an.subscribed
    assert an.subscription_basis == "consent"
    assert an.subscribed_on == datetime.date(2024, 3, 1)
    assert an.newsletter_language == "nl"
    claire = Lawyer.objects.get(email="claire.dubois@example.be")
    assert claire.pk == old.pk
    assert claire.name == "Claire Dubois"
    assert claire.bar.code == "brussels-fr"
    assert claire.phone == "+32470123456"
    assert claire.specialities.get().code == "detention"
    assert claire.notes == "Prefers e-mail, not calls"
    assert stored_files(media) == []
    assert "Import done: 1 lawyer added, 1 lawyer updated." in keeper.get(LIST).content.decode()


def test_a_file_cannot_be_confirmed_twice(keeper, centre):
    token = token_of(upload(keeper, GOOD))
    assert keeper.post(CONFIRM, {"token": token}).status_code == 302
    response = keeper.post(CONFIRM, {"token": token})
    assert response.status_code == 400
    assert "There is no previewed file to import" in response.content.decode()
    assert Lawyer.objects.count() == 2


def test_a_spreadsheets_semicolons_and_its_bom_are_read(keeper, centre):
    text = (
        "\ufeffname;bar;email;specialities;notes\n"
        'An Peeters;turnhout;an@example.be;"detention; asylum";Ja, graag\n'
    )
    assert "Import this lawyer" in upload(keeper, text).content.decode()
    preview = lawyer_import.read(text.encode())
    assert preview.rows[0].fields["notes"] == "Ja, graag"
    assert len(preview.rows[0].fields["specialities"]) == 2


def test_a_missing_optional_column_leaves_an_updated_lawyer_as_it_was(keeper):
    lawyer = make_lawyer(
        "An Peeters",
        email="an.peeters@example.be",
        phone="+3214123456",
        languages="nl",
        subscribed=True,
        subscription_basis="consent",
        subscribed_on=datetime.date(2020, 1, 1),
    )
    text = "email,name,bar\nAN.PEETERS@example.be,An Peeters-Claes,antwerp\n"
    token = token_of(upload(keeper, text))
    assert keeper.post(CONFIRM, {"token": token}).status_code == 302
    lawyer.refresh_from_db()
    assert (lawyer.name, lawyer.bar.code) == ("An Peeters-Claes", "antwerp")
    assert (lawyer.phone, lawyer.languages) == ("+3214123456", "nl")
    assert lawyer.subscribed and lawyer.subscribed_on == datetime.date(2020, 1, 1)
    assert Lawyer.objects.count() == 1


def test_a_new_subscription_without_a_date_starts_today(keeper):
    text = "name,bar,email,subscribed,subscription_basis\nA B,antwerp,ab@example.be,yes,consent\n"
    assert keeper.post(CONFIRM, {"token": token_of(upload(keeper, text))}).status_code == 302
    assert Lawyer.objects.get().subscribed_on == timezone.localdate()


# --- Errors by line and column ---------------------------------------------------------


def test_each_error_is_shown_by_line_and_column_and_nothing_can_be_confirmed(keeper, media, centre):
    text = f"""{HEADER}
An Peeters,,turnhout,not-an-email,12345,nl xx,detention,maybe,atlantis,mars,yes,,2024-13-45,de,
Claire Dubois,,Nowhere bar,claire@example.be,,fr,cooking,no,,,no,,,fr,
,,antwerp,claire@EXAMPLE.be,,,,,,,,,,,
"""
    response = upload(keeper, text)
    html = response.content.decode()
    assert response.status_code == 200
    expected = [
        (2, "email", "“not-an-email” is not an e-mail address."),
        (2, "phone", "“12345” is not a phone number we can call."),
        (2, "languages", "Unknown languages: xx."),
        (2, "legal_aid", "Write yes or no, not “maybe”."),
        (2, "centres", "Unknown centres: atlantis."),
        (2, "regions", "Unknown regions: mars."),
        (2, "subscribed_on", "“2024-13-45” is not a date: write 2024-03-01 or 01/03/2024."),
        (2, "newsletter_language", "Write fr or nl, not “de”."),
        (2, "subscription_basis", "Say on which legal basis the newsletter is sent."),
        (3, "bar", "No bar is called “Nowhere bar”."),
        (3, "specialities", "Unknown specialities: cooking."),
        (4, "name", "Required."),
        (4, "email", "Already on line 3: one line per lawyer."),
    ]
    preview = lawyer_import.read(text.encode())
    assert sorted(preview.errors) == sorted(expected)
    for line, column, message in expected:
        assert f'Line {line}</td><td data-label="Column"><code>{column}</code>' in html
        assert message.replace("“", "&ldquo;") in html or message in html
    assert "The file has 13 errors: nothing can be imported" in html
    assert 'name="token"' not in html
    assert stored_files(media) == []
    assert Lawyer.objects.count() == 0


def test_a_confirm_is_refused_whole_when_the_directory_changed_meanwhile(keeper, media, centre):
    token = token_of(upload(keeper, GOOD))
    Bar.objects.filter(code="turnhout").delete()  # the bar of line 2 is gone
    response = keeper.post(CONFIRM, {"token": token})
    html = response.content.decode()
    assert response.status_code == 400
    assert "nothing was imported" in html
    assert "No bar is called “turnhout”." in html
    assert Lawyer.objects.count() == 0  # not even the good line 3
    assert stored_files(media) == []


def test_a_failure_while_saving_saves_nothing(keeper, centre, monkeypatch):
    token = token_of(upload(keeper, GOOD))
    saved = lawyer_import._save
    calls = []

    def fail_on_the_second(row):
        calls.append(row)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        saved(row)

    monkeypatch.setattr(lawyer_import, "_save", fail_on_the_second)
    keeper.raise_request_exception = False
    assert keeper.post(CONFIRM, {"token": token}).status_code == 500
    assert Lawyer.objects.count() == 0


# --- Bad files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty."),
        ("\n\n", "The file is empty."),
        (HEADER + "\n", "The file has its line of column names but no lawyer under it."),
        (
            "nom,barreau,courriel\nA,antwerp,a@example.be\n",
            "Unknown columns: nom, barreau, courriel.",
        ),
        ("name,email\nA,a@example.be\n", "Missing columns: bar."),
        (
            "name,bar,email,email\nA,antwerp,a@example.be,b@example.be\n",
            "Columns given twice: email.",
        ),
        ("name,bar,email\nA,antwerp,a@example.be,extra,cells\n", "Some lines have more cells"),
        (b"PK\x03\x04\x00\x00binary spreadsheet", "This is not a CSV text file"),
        (
            "name,bar,email\nJosé,antwerp,j@example.be\n".encode("latin-1"),
            "This file is not in UTF-8",
        ),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(keeper, media, content, message):
    response = upload(keeper, content)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html.replace("&#x27;", "'")
    assert "Nothing was imported." in html
    assert Lawyer.objects.count() == 0
    assert stored_files(media) == []


def test_a_file_of_20_mb_is_refused_before_it_is_read(keeper, media):
    big = HEADER.encode() + b"\n" + b"x" * (20 * 1024 * 1024)
    response = upload(keeper, big)
    assert response.status_code == 400
    assert "This file is too large (20.0 MB)" in response.content.decode()
    assert stored_files(media) == []


def test_an_upload_without_a_file_is_refused(keeper):
    response = keeper.post(IMPORT, {})
    assert response.status_code == 400
    assert "Choose the CSV file to import." in response.content.decode()


# --- The confirmation's token ----------------------------------------------------------


def test_an_empty_confirm_answers_400_with_a_message(keeper):
    response = keeper.post(CONFIRM, {})
    assert response.status_code == 400
    assert "There is no previewed file to import: upload it again." in response.content.decode()


def test_a_forged_token_is_refused(keeper, media, centre):
    upload(keeper, GOOD)
    name = stored_files(media)[0].stem
    response = keeper.post(CONFIRM, {"token": f'{{"file": "{name}", "user": 1}}'})
    assert response.status_code == 400
    assert Lawyer.objects.count() == 0


def test_another_keepers_file_cannot_be_confirmed(client, legal, coordinator, media, centre):
    sign_in(client, legal)
    token = token_of(upload(client, GOOD))
    client.logout()
    sign_in(client, coordinator)
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 400
    assert Lawyer.objects.count() == 0
    assert len(stored_files(media)) == 1  # still the uploader's to confirm


def test_a_file_left_unconfirmed_for_a_day_is_deleted_at_the_next_upload(keeper, media):
    import os
    import time

    upload(keeper, GOOD.replace("merksplas-test", ""))
    old = stored_files(media)[0]
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    upload(keeper, GOOD.replace("merksplas-test", ""))
    assert old not in stored_files(media)
    assert len(stored_files(media)) == 1


# --- Export ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["legal", "coordinator"])
def test_the_export_is_the_filtered_list_as_csv(persona, request, client, centre):
    make_lawyer("An Peeters", languages="nl", centres=[centre])
    make_lawyer("Claire Dubois", languages="fr")
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(EXPORT, {"language": "nl"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="lawyers-' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].split(",") == list(lawyer_import.COLUMNS)
    assert len(lines) == 2
    assert lines[1].startswith("An Peeters,,antwerp,an.peeters@example.be,")
    assert ",merksplas-test," in lines[1]


def test_an_export_imports_back_as_it_was(keeper, centre, other_centre):
    make_lawyer(
        "An Peeters",
        firm='Kantoor "Kempen", Turnhout',
        bar="turnhout",
        phone="+3214123456",
        languages="nl en",
        specialities=["detention", "asylum"],
        centres=[centre, other_centre],
        regions="antwerp limburg",
        legal_aid=True,
        subscribed=True,
        subscription_basis="legitimate_interest",
        subscribed_on=datetime.date(2023, 5, 1),
        newsletter_language="nl",
        notes="Line one\nline two; with a semicolon, and a comma",
    )
    make_lawyer(
        '=HYPERLINK("http://evil.example")',
        email="formula@example.be",
        firm="+cmd",
        bar="liege-huy",
        subscribed=True,
        subscription_basis="consent",
        subscribed_on=datetime.date(2022, 1, 1),
        unsubscribed_on=datetime.date(2024, 2, 2),
        notes="@SUM(A1:A2)",
    )
    fields = [
        f.name for f in Lawyer._meta.fields if f.name not in ("id", "created_at", "updated_at")
    ]

    def snapshot():
        return {
            lawyer.email: (
                [getattr(lawyer, name) for name in fields],
                sorted(lawyer.specialities.values_list("code", flat=True)),
                sorted(lawyer.centres.values_list("code", flat=True)),
            )
            for lawyer in Lawyer.objects.all()
        }

    before = snapshot()
    exported = keeper.get(EXPORT).content
    text = exported.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM" in text
    assert "'+3214123456" in text
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@"))
    response = upload(keeper, exported)
    html = response.content.decode()
    assert "2 already in the directory, to update" in html
    assert keeper.post(CONFIRM, {"token": token_of(response)}).status_code == 302
    assert snapshot() == before


def test_a_formula_is_written_with_a_quote_and_read_back_without():
    for cell in ("=1+1", "+32470123456", "-2", "@SUM(A1)", "\tx"):
        assert lawyer_import.safe_cell(cell) == "'" + cell
        assert lawyer_import.unsafe_cell(lawyer_import.safe_cell(cell)) == cell
    assert lawyer_import.safe_cell("O'Brien") == "O'Brien"
    assert lawyer_import.unsafe_cell("'quoted") == "'quoted"


def test_the_export_costs_the_same_few_queries_whatever_its_length(
    keeper, centre, django_assert_max_num_queries
):
    bar = Bar.objects.get(code="antwerp")
    detention = Speciality.objects.get(code="detention")
    for n in range(30):
        lawyer = Lawyer.objects.create(name=f"L {n}", bar=bar, email=f"l{n}@example.be")
        lawyer.specialities.add(detention)
        lawyer.centres.add(centre)
    keeper.get(LIST)
    with django_assert_max_num_queries(6):
        response = keeper.get(EXPORT)
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 31


def test_an_import_never_subscribes_again_someone_who_unsubscribed(keeper):
    gone = datetime.date(2025, 6, 1)
    lawyer = make_lawyer(
        "An Peeters",
        email="an@example.be",
        subscribed=True,
        subscription_basis="consent",
        unsubscribed_on=gone,
    )
    text = "name,bar,email,subscribed,subscription_basis,unsubscribed_on\n"
    text += "An Peeters,antwerp,an@example.be,yes,consent,\n"
    assert keeper.post(CONFIRM, {"token": token_of(upload(keeper, text))}).status_code == 302
    lawyer.refresh_from_db()
    assert lawyer.unsubscribed_on == gone
    assert not Lawyer.objects.subscribed().exists()


def test_a_subscription_the_file_ends_ends_today(keeper):
    lawyer = make_lawyer(
        "An Peeters", email="an@example.be", subscribed=True, subscription_basis="consent"
    )
    text = "name,bar,email,subscribed\nAn Peeters,antwerp,an@example.be,no\n"
    assert keeper.post(CONFIRM, {"token": token_of(upload(keeper, text))}).status_code == 302
    lawyer.refresh_from_db()
    assert not lawyer.subscribed
    assert lawyer.unsubscribed_on == timezone.localdate()


def test_empty_columns_a_spreadsheet_adds_at_the_right_are_left_out(keeper):
    text = "name,bar,email,,\nA B,antwerp,ab@example.be,,\n"
    assert "Import this lawyer" in upload(keeper, text).content.decode()
    text = "name,bar,email,\nA B,antwerp,ab@example.be,something\n"
    response = upload(keeper, text)
    assert response.status_code == 400
    assert "Unknown columns: &quot;&quot;." in response.content.decode()
