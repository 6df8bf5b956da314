"""The jurisprudence (issue 11): who reads drafts, the form (ECLI, district, PDF checked
by its content), publication refused while a language is missing or a finding of the
PII scanner is unresolved, the decision's PDF behind the permission check, the list's
filters and its cost in queries."""

import datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legal import decision_views
from legal.models import Decision, DecisionFindingDismissal, LitigationCase, Newsletter
from move.privacy import pii
from tests.conftest import close_download, sign_in
from visits.models import Theme

pytestmark = pytest.mark.django_db

PHONE = "+32 470 12 34 56"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_bytes():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name="arret.pdf", data=None):
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, "application/pdf")


def make_decision(**fields):
    values = {
        "court": "cce",
        "date": datetime.date(2022, 3, 1),
        "outcome": "favourable",
        "title_fr": "Détention d'une famille",
        "title_nl": "Detentie van een gezin",
        "summary_fr": "Le Conseil annule la décision de maintien.",
        "summary_nl": "De Raad vernietigt de beslissing tot vasthouding.",
    }
    return Decision.objects.create(**(values | fields))


def published(**fields):
    return make_decision(status=Decision.Status.PUBLISHED, **fields)


def url(name, decision=None):
    return reverse(f"legal:{name}", kwargs={"key": decision.key} if decision else None)


def form_data(**fields):
    data = {
        "court": "cce",
        "district": "",
        "date": "2022-05-04",
        "reference": "n° 271 234",
        "ecli": "",
        "outcome": "favourable",
        "title_fr": "Maintien d'un enfant",
        "summary_fr": "Le Conseil juge la détention d'un enfant illégale.",
        "title_nl": "Vasthouding van een kind",
        "summary_nl": "De Raad oordeelt dat de detentie van een kind onwettig is.",
    }
    return data | fields


# --- Who reads what -------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("visitor_a", 404),
        ("advocacy", 404),
        ("witness_pool", 404),
        ("partner", 404),
        ("legal", 200),
        ("coordinator", 200),
    ],
)
def test_a_draft_is_read_only_by_those_who_keep_the_jurisprudence(persona_client, persona, status):
    draft = make_decision()
    response = persona_client(persona).get(url("decision-detail", draft))
    assert response.status_code == status


@pytest.mark.parametrize("persona", ["visitor_a", "advocacy", "witness_pool"])
def test_internal_roles_read_a_published_decision_but_not_a_draft_in_the_list(
    persona_client, persona
):
    make_decision(title_fr="Brouillon secret")
    published(title_fr="Arrêt publié")
    client = persona_client(persona)
    assert (
        client.get(
            url("decision-detail", Decision.objects.get(title_fr="Arrêt publié"))
        ).status_code
        == 200
    )
    page = client.get(url("decision-list")).content.decode()
    assert "Arrêt publié" in page
    assert "Brouillon secret" not in page


def test_the_keepers_see_the_drafts_in_the_list(client, legal):
    make_decision(title_fr="Brouillon")
    sign_in(client, legal)
    assert "Brouillon" in client.get(url("decision-list")).content.decode()


@pytest.mark.parametrize("name", ["decision-update", "decision-publish", "decision-dismiss"])
def test_a_visitor_may_not_keep_a_published_decision(client, visitor_a, name):
    decision = published()
    sign_in(client, visitor_a)
    method = client.get if name == "decision-update" else client.post
    assert method(url(name, decision)).status_code == 403


def test_a_visitor_cannot_add_a_decision(client, visitor_a):
    sign_in(client, visitor_a)
    assert client.get(url("decision-create")).status_code == 403
    assert client.post(url("decision-create"), form_data()).status_code == 403
    assert not Decision.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    decision = published()
    response = client.get(url("decision-detail", decision))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- The form -------------------------------------------------------------------------


def test_legal_adds_a_draft_decision_with_its_themes(client, legal):
    theme = Theme.objects.create(code="children", name_fr="Enfants", name_nl="Kinderen")
    sign_in(client, legal)
    response = client.post(url("decision-create"), form_data(themes=[theme.pk]))
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("decision-detail", decision)
    assert decision.status == Decision.Status.DRAFT
    assert decision.created_by == legal
    assert list(decision.themes.all()) == [theme]
    assert decision.title_nl == "Vasthouding van een kind"


@pytest.mark.parametrize(
    "ecli", ["BE:RVV:2022:ARR.271234", "ECLI:BE:RVV:22:ARR.1", "ECLI:BE:RVV:2022:ARR/1"]
)
def test_an_ecli_in_the_wrong_form_is_refused_with_an_example(client, legal, ecli):
    sign_in(client, legal)
    response = client.post(url("decision-create"), form_data(ecli=ecli))
    assert response.status_code == 400
    page = response.content.decode()
    assert "ECLI:BE:RVV:2022:ARR.271234" in page  # the example of the right form
    assert ecli in page  # what was typed is shown again
    assert not Decision.objects.exists()


def test_an_ecli_is_read_in_capitals_and_unique(client, legal):
    sign_in(client, legal)
    response = client.post(url("decision-create"), form_data(ecli=" ecli:be:rvv:2022:arr.271234 "))
    assert response.status_code == 302
    assert Decision.objects.get().ecli == "ECLI:BE:RVV:2022:ARR.271234"
    again = client.post(url("decision-create"), form_data(ecli="ECLI:BE:RVV:2022:ARR.271234"))
    assert again.status_code == 400
    assert "Another decision already has this ECLI" in again.content.decode()
    assert Decision.objects.count() == 1


def test_decisions_without_an_ecli_are_not_duplicates(client, legal):
    sign_in(client, legal)
    client.post(url("decision-create"), form_data())
    client.post(url("decision-create"), form_data())
    assert Decision.objects.filter(ecli="").count() == 2


@pytest.mark.parametrize("court", ["council_chamber", "indictment_chamber"])
def test_a_chamber_needs_its_district(client, legal, court):
    sign_in(client, legal)
    response = client.post(url("decision-create"), form_data(court=court))
    assert response.status_code == 400
    assert "judicial district" in response.content.decode()
    assert (
        client.post(url("decision-create"), form_data(court=court, district="Leuven")).status_code
        == 302
    )
    assert Decision.objects.get().district == "Leuven"


def test_another_court_keeps_no_district(client, legal):
    sign_in(client, legal)
    client.post(url("decision-create"), form_data(court="cce", district="Leuven"))
    assert Decision.objects.get().district == ""


def test_a_concurrent_edit_is_not_overwritten(client, legal):
    decision = make_decision()
    sign_in(client, legal)
    page = client.get(url("decision-update", decision)).content.decode()
    seen = decision.updated_at.isoformat()
    assert seen in page
    Decision.objects.filter(pk=decision.pk).update(
        updated_at=decision.updated_at + datetime.timedelta(seconds=5)
    )
    response = client.post(
        url("decision-update", decision), form_data(title_fr="Mon titre", seen=seen)
    )
    assert response.status_code == 400
    assert "Someone else saved this record" in response.content.decode()
    assert "Mon titre" in response.content.decode()
    decision.refresh_from_db()
    assert decision.title_fr == "Détention d'une famille"


# --- The PDF --------------------------------------------------------------------------


def stored(media):
    folder = Path(media) / "private" / "legal" / "decisions"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_pdf_is_stored_in_the_private_folder_under_a_random_name(client, legal, media):
    sign_in(client, legal)
    response = client.post(
        url("decision-create"), form_data(pdf_file=pdf_upload("Arrêt 271.234.pdf"))
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    [path] = stored(media)
    assert decision.pdf == f"legal/decisions/{path.name}"
    assert len(path.stem) == 32 and path.suffix == ".pdf"
    assert decision.pdf_name == "Arrêt 271.234.pdf"


def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(client, legal, media):
    sign_in(client, legal)
    fake = SimpleUploadedFile("decision.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    response = client.post(url("decision-create"), form_data(pdf_file=fake))
    assert response.status_code == 400
    assert "This file is not a PDF document" in response.content.decode()
    assert not Decision.objects.exists()
    assert stored(media) == []


def test_an_image_is_refused_for_a_decision(client, legal, media):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    sign_in(client, legal)
    image = SimpleUploadedFile("scan.png", out.getvalue(), "image/png")
    response = client.post(url("decision-create"), form_data(pdf_file=image))
    assert response.status_code == 400
    assert stored(media) == []


def test_a_pdf_too_big_is_refused(client, legal, media, settings):
    settings.MOVE_HELP_ATTACHMENT_MAX_MB = 1
    sign_in(client, legal)
    big = pdf_upload(data=pdf_bytes() + b"%" * (1024 * 1024 + 1))
    response = client.post(url("decision-create"), form_data(pdf_file=big))
    assert response.status_code == 400
    assert "up to 1 MB" in response.content.decode()
    assert stored(media) == []


def test_replacing_the_pdf_deletes_the_old_file_once_committed(
    client, legal, media, django_capture_on_commit_callbacks
):
    sign_in(client, legal)
    client.post(url("decision-create"), form_data(pdf_file=pdf_upload()))
    decision = Decision.objects.get()
    [old] = stored(media)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("decision-update", decision),
            form_data(pdf_file=pdf_upload("nouveau.pdf"), seen=decision.updated_at.isoformat()),
        )
    assert response.status_code == 302
    [new] = stored(media)
    assert new != old
    decision.refresh_from_db()
    assert decision.pdf == f"legal/decisions/{new.name}"
    assert decision.pdf_name == "nouveau.pdf"


def test_a_refused_replacement_keeps_the_old_file(client, legal, media):
    sign_in(client, legal)
    client.post(url("decision-create"), form_data(pdf_file=pdf_upload()))
    decision = Decision.objects.get()
    before = stored(media)
    fake = SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")
    response = client.post(
        url("decision-update", decision),
        form_data(pdf_file=fake, seen=decision.updated_at.isoformat()),
    )
    assert response.status_code == 400
    assert stored(media) == before


def test_the_pdf_is_served_as_a_download_to_its_readers(client, visitor_a, legal, media):
    sign_in(client, legal)
    client.post(url("decision-create"), form_data(pdf_file=pdf_upload("arret.pdf")))
    decision = Decision.objects.get()
    response = client.get(url("decision-pdf", decision))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "arret.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    close_download(response)
    # A draft's PDF is as hidden as the draft.
    client.logout()
    sign_in(client, visitor_a)
    assert client.get(url("decision-pdf", decision)).status_code == 404


def test_a_decision_without_a_pdf_answers_404(client, legal):
    decision = published()
    sign_in(client, legal)
    assert client.get(url("decision-pdf", decision)).status_code == 404


# --- Publishing -----------------------------------------------------------------------


def test_publication_is_refused_while_a_finding_is_unresolved(client, legal):
    decision = make_decision(summary_fr=f"Le requérant joignable au {PHONE} est libéré.")
    sign_in(client, legal)
    response = client.post(url("decision-publish", decision), follow=True)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DRAFT
    assert decision.published_at is None
    assert "possible personal data remains" in response.content.decode()


def test_a_dismissed_finding_no_longer_keeps_the_decision_from_publication(client, legal):
    decision = make_decision(summary_fr=f"Le greffe au {PHONE} a confirmé.")
    sign_in(client, legal)
    page = client.get(url("decision-detail", decision)).content.decode()
    assert PHONE in page and "Dismiss this finding" in page
    response = client.post(
        url("decision-dismiss", decision),
        {"kind": pii.PHONE, "text": PHONE, "reason": "The public number of the court's registry."},
    )
    assert response.status_code == 302
    dismissal = DecisionFindingDismissal.objects.get()
    assert dismissal.dismissed_by == legal
    assert client.post(url("decision-publish", decision)).status_code == 302
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PUBLISHED
    assert decision.published_at is not None


def test_a_fixed_finding_no_longer_keeps_the_decision_from_publication(client, legal):
    decision = make_decision(summary_nl=f"Bel {PHONE}.")
    sign_in(client, legal)
    client.post(url("decision-publish", decision))
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DRAFT
    client.post(
        url("decision-update", decision),
        form_data(summary_nl="Zonder nummer.", seen=decision.updated_at.isoformat()),
    )
    client.post(url("decision-publish", decision))
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PUBLISHED


def test_publication_is_refused_while_a_language_is_missing(client, legal):
    decision = make_decision(summary_nl="")
    sign_in(client, legal)
    response = client.post(url("decision-publish", decision), follow=True)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DRAFT
    assert "missing in Dutch" in response.content.decode()


def test_publishing_a_published_decision_redirects_to_it(client, coordinator):
    decision = published(published_at=datetime.datetime(2022, 4, 1, tzinfo=datetime.UTC))
    sign_in(client, coordinator)
    response = client.post(url("decision-publish", decision))
    assert response.status_code == 302
    assert response["Location"] == url("decision-detail", decision)
    decision.refresh_from_db()
    assert decision.published_at == datetime.datetime(2022, 4, 1, tzinfo=datetime.UTC)


def test_the_scanner_is_never_given_the_known_names(client, legal, monkeypatch):
    """A coordinator or a lawyer is not a visitor: what they are shown must not depend
    on the names held in case files (DESIGN.md §9)."""
    calls = []
    real_scan = pii.scan

    def spy(text, **kwargs):
        calls.append(kwargs)
        return real_scan(text, **kwargs)

    monkeypatch.setattr(pii, "scan", spy)
    decision = make_decision()
    sign_in(client, legal)
    client.get(url("decision-detail", decision))
    client.post(url("decision-publish", decision))
    assert calls
    assert all(not call.get("known_names") for call in calls)


def test_an_empty_dismissal_answers_400_with_a_message(client, legal):
    decision = make_decision()
    sign_in(client, legal)
    response = client.post(url("decision-dismiss", decision))
    assert response.status_code == 400
    assert "Choose a finding of the decision to dismiss" in response.content.decode()


def test_a_dismissal_without_a_reason_shows_the_finding_again(client, legal):
    decision = make_decision(summary_fr=f"Au {PHONE}.")
    sign_in(client, legal)
    response = client.post(
        url("decision-dismiss", decision), {"kind": pii.PHONE, "text": PHONE, "reason": " "}
    )
    assert response.status_code == 400
    assert "Say why this is not personal data." in response.content.decode()
    assert not DecisionFindingDismissal.objects.exists()


def test_a_made_up_finding_cannot_be_dismissed(client, legal):
    decision = make_decision()
    sign_in(client, legal)
    response = client.post(
        url("decision-dismiss", decision),
        {"kind": pii.PHONE, "text": "0470 99 99 99", "reason": "ok"},
    )
    assert response.status_code == 400
    assert "not among the findings" in response.content.decode()
    assert not DecisionFindingDismissal.objects.exists()


def test_editing_a_published_decision_with_personal_data_puts_it_back_to_draft(client, legal):
    decision = published()
    sign_in(client, legal)
    response = client.post(
        url("decision-update", decision),
        form_data(summary_fr=f"Joignable au {PHONE}.", seen=decision.updated_at.isoformat()),
        follow=True,
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DRAFT
    assert "went back to draft" in response.content.decode()


def test_a_decision_back_to_draft_is_no_longer_published_since(client, legal):
    decision = published(published_at=datetime.datetime(2022, 4, 1, 9, 0, tzinfo=datetime.UTC))
    sign_in(client, legal)
    client.post(
        url("decision-update", decision),
        form_data(summary_fr=f"Joignable au {PHONE}.", seen=decision.updated_at.isoformat()),
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DRAFT
    assert decision.published_at is None
    page = client.get(url("decision-detail", decision)).content.decode()
    assert "(since " not in page and "1 April 2022" not in page


def test_editing_a_published_decision_cleanly_keeps_it_published(client, legal):
    decision = published()
    sign_in(client, legal)
    client.post(
        url("decision-update", decision),
        form_data(title_fr="Nouveau titre", seen=decision.updated_at.isoformat()),
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PUBLISHED
    assert decision.title_fr == "Nouveau titre"


# --- Pages ----------------------------------------------------------------------------


def test_the_missing_language_is_shown_in_the_list_and_the_detail(client, legal):
    decision = make_decision(title_nl="", summary_nl="")
    sign_in(client, legal)
    assert "Dutch missing" in client.get(url("decision-list")).content.decode()
    assert "Dutch missing" in client.get(url("decision-detail", decision)).content.decode()


def test_the_detail_shows_themes_newsletters_and_cases(client, advocacy):
    theme = Theme.objects.create(code="isolation", name_fr="Isolement", name_nl="Isolatie")
    decision = published()
    decision.themes.add(theme)
    letter = Newsletter.objects.create(year=2022, quarter=2, status=Newsletter.Status.PUBLISHED)
    letter.chosen_decisions.create(decision=decision)
    draft_letter = Newsletter.objects.create(year=2022, quarter=3)
    draft_letter.chosen_decisions.create(decision=decision)
    case = LitigationCase.objects.create(
        title="Enfants au 127bis", court="ecthr", our_role="intervention"
    )
    case.decisions.add(decision)
    sign_in(client, advocacy)
    page = client.get(url("decision-detail", decision)).content.decode()
    assert "Isolation" in page or "Isolement" in page
    assert reverse("newsletter:detail", kwargs={"year": 2022, "quarter": 2}) in page
    assert "2022 Q3" not in page  # a draft newsletter: not for advocacy
    assert url("litigation-detail", case) in page


def make_many(count):
    themes = [
        Theme.objects.create(code=f"t{i}", name_fr=f"Thème {i}", name_nl=f"Thema {i}")
        for i in range(3)
    ]
    for number in range(count):
        decision = published(
            title_fr=f"Arrêt {number}",
            date=datetime.date(2022, 1, 1) + datetime.timedelta(days=number),
        )
        decision.themes.set(themes[: number % 3 + 1])


@pytest.mark.parametrize("rows", [2, 30])
@pytest.mark.parametrize("persona", ["legal", "visitor_a"])
def test_the_list_costs_the_same_few_queries_whatever_its_rows(client, request, rows, persona):
    make_many(rows)
    sign_in(client, request.getfixturevalue(persona))
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("decision-list"), {"theme": "", "q": ""})
    assert response.status_code == 200
    assert len(queries) <= 6, [q["sql"] for q in queries]


@pytest.mark.parametrize("persona", ["legal", "coordinator", "witness_pool"])
def test_the_detail_costs_at_most_eight_queries(client, request, persona):
    decision = published()
    decision.themes.add(Theme.objects.create(code="a", name_fr="A", name_nl="A"))
    DecisionFindingDismissal.objects.create(
        decision=decision,
        kind="phone",
        text="1",
        reason="r",
        dismissed_by=request.getfixturevalue("legal"),
    )
    sign_in(client, request.getfixturevalue(persona))
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("decision-detail", decision)).status_code == 200
    assert len(queries) <= 8


def test_the_list_is_paginated_and_keeps_its_filters(client, legal):
    make_many(30)
    sign_in(client, legal)
    page = client.get(url("decision-list"), {"court": "cce"}).content.decode()
    assert "Page 1 of 2" in page
    assert "?court=cce&amp;page=2" in page


# --- Filters --------------------------------------------------------------------------


def titles(client, **query):
    response = client.get(url("decision-list"), query)
    assert response.status_code == 200
    return {d.title_fr for d in response.context["decisions"]}


def test_filters_by_court_year_theme_and_outcome(client, visitor_a):
    theme = Theme.objects.create(code="children", name_fr="Enfants", name_nl="Kinderen")
    published(title_fr="CCE 2022", court="cce", date=datetime.date(2022, 5, 1)).themes.add(theme)
    published(
        title_fr="CEDH 2023", court="ecthr", date=datetime.date(2023, 1, 9), outcome="unfavourable"
    )
    published(
        title_fr="Chambre 2023",
        court="council_chamber",
        district="Bruxelles",
        date=datetime.date(2023, 2, 1),
    )
    sign_in(client, visitor_a)
    assert titles(client, court="ecthr") == {"CEDH 2023"}
    assert titles(client, year="2023") == {"CEDH 2023", "Chambre 2023"}
    assert titles(client, theme=str(theme.pk)) == {"CCE 2022"}
    assert titles(client, outcome="unfavourable") == {"CEDH 2023"}
    assert titles(client, year="2023", court="council_chamber") == {"Chambre 2023"}


def test_a_bad_filter_is_left_out_and_marked(client, visitor_a):
    published(title_fr="Un")
    sign_in(client, visitor_a)
    response = client.get(url("decision-list"), {"year": "abc", "court": "nowhere"})
    assert response.status_code == 200
    assert {d.title_fr for d in response.context["decisions"]} == {"Un"}
    assert "Some filters could not be read" in response.content.decode()


def test_keepers_filter_by_status_and_missing_language(client, legal):
    make_decision(title_fr="Brouillon complet")
    make_decision(title_fr="Sans néerlandais", summary_nl="")
    make_decision(title_fr="", title_nl="Zonder Frans")
    published(title_fr="Publié")
    sign_in(client, legal)
    assert titles(client, status="published") == {"Publié"}
    assert titles(client, missing="nl") == {"Sans néerlandais"}
    assert len(titles(client, missing="any")) == 2
    assert "Publié" not in titles(client, status="draft")


def test_other_roles_are_not_offered_the_keepers_filters(client, advocacy):
    sign_in(client, advocacy)
    form = client.get(url("decision-list")).context["form"]
    assert "status" not in form.fields and "missing" not in form.fields


def test_refusals_name_each_missing_language():
    decision = Decision(title_fr="", summary_fr="", title_nl="", summary_nl="")
    [missing] = decision_views.refusals(decision)
    assert "French and Dutch" in missing
