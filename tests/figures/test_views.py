"""The figures' pages (issue 13): who reads which variant on the dashboard, the period
and the year compared, the activity report's box in French and Dutch, the tables drawn
from any Table with their charts, and the exports (CSV and XLSX at once, the PDF as a Job).

The figures are made by hand here (`made_by_hand`, put in place of yearly.figures), so
that the page is tested on every kind of table whatever the records hold; the published
variant goes through the real suppression. The last tests use the real yearly.figures on
a few records."""

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from figures import pdf, suppression, tasks, yearly
from figures.tables import COUNT, FRACTION, NUMBER, Figures, Table
from move.accounts.permissions import FIGURES_COALITION, FIGURES_FULL, FIGURES_PUBLISHED
from move.privacy.models import Job

pytestmark = pytest.mark.django_db

CENTRES = [("c1", "Centre Alpha"), ("c2", "Centre Beta"), ("c3", "Centre Gamma")]


def people_table(year: int) -> Table:
    grow = year - 2022
    people = {"c1": 300 + grow, "c2": 325, "c3": 3}
    detained = {"c1": 2000, "c2": 2285, "c3": 40}
    cells = {}
    for centre, _label in CENTRES:
        cells |= {
            (centre, "people"): people[centre],
            (centre, "detained"): detained[centre],
            (centre, "reach"): people[centre] / detained[centre],
        }
    total, total_detained = sum(people.values()), sum(detained.values())
    cells |= {
        ("total", "people"): total,
        ("total", "detained"): total_detained,
        ("total", "reach"): total / total_detained,
    }
    return Table(
        key="people_by_centre",
        title="People accompanied, by centre",
        section="people",
        row_header="Centre",
        rows=[*CENTRES, ("total", "Total")],
        columns=[
            ("people", "People accompanied", COUNT),
            ("detained", "People detained", COUNT),
            ("reach", "Reach", FRACTION),
        ],
        cells=cells,
        made_of={(row, "reach"): ("people_by_centre", row, "people") for row, _label in CENTRES},
        total_row="total",
        chart="bar",
        note="People met at least once in the year.",
    )


def visits_table(year: int) -> Table:
    return Table(
        key="visits_by_quarter",
        title="Visits, by quarter",
        section="visits",
        row_header="Quarter",
        rows=[(f"{year}-Q{number}", f"Q{number}") for number in (1, 2, 3, 4)],
        columns=[("visits", "Visits done", COUNT), ("weeks", "Median weeks", NUMBER)],
        cells={(f"{year}-Q{n}", "visits"): 100 + n for n in (1, 2, 3, 4)}
        | {(f"{year}-Q{n}", "weeks"): 2.25 for n in (1, 2, 3, 4)},
        chart="line",
    )


def contributions_table() -> Table:
    return Table(
        key="contributions",
        title="Each organisation's visit reports",
        section="organisations",
        row_header="Organisation",
        rows=[("jrs", "JRS Belgium"), ("caritas", "Caritas International")],
        columns=[("reports", "Visit reports", COUNT)],
        cells={("jrs", "reports"): 150, ("caritas", "reports"): 148},
    )


def key_figures(year: int) -> dict:
    grow = year - 2022
    return {
        "people_accompanied_adult_centres": 628 + grow,
        "detained_adult_centres": 4285,
        "reach_ratio": (628 + grow) / 4285,
        "reach_target": 0.10,
        "families_accompanied": 37,
        "reports_written": 298,
        "reports_shared": 120,
        "help_requests": 171,
        "exchange_meetings": 10,
        "visitors_active": 17,
        "visits_done": 520,
        "people_new": 400,
        "people_returning": 228,
        "meetings": 1500,
        "points_raised": 24,
        "authority_meetings": 4,
        "newsletters_sent": 4,
        "lawyers_reached": 212,
    }


def made_by_hand(year, quarter=None, *, variant, language=None) -> Figures:
    """Every section's kind of table; the contributions whatever the variant, so that
    the page is seen to leave them out by itself. The published variant suppressed."""
    people = people_table(year)
    figures = Figures(
        year=year,
        quarter=quarter,
        variant=variant,
        language=language or "en",
        key=key_figures(year),
        tables=[people, visits_table(year), contributions_table()],
        sums=[
            (
                ("people_by_centre", "total", column),
                [("people_by_centre", row, column) for row, _label in CENTRES],
            )
            for column in ("people", "detained")
        ],
    )
    if variant == FIGURES_PUBLISHED:
        suppression.suppress(figures, threshold=5)
    return figures


@pytest.fixture
def made(monkeypatch):
    """yearly.figures replaced by `made_by_hand`; the list of its calls."""
    calls = []

    def figures(year, quarter=None, *, variant, language=None):
        calls.append((year, quarter, variant))
        return made_by_hand(year, quarter, variant=variant, language=language)

    monkeypatch.setattr(yearly, "figures", figures)
    return calls


def dashboard(year=2022, **query):
    return reverse("figures:dashboard", kwargs={"year": year}), query


def get(client, year=2022, **query):
    url, query = dashboard(year, **query)
    return client.get(url, query)


def cells(page: str) -> list[str]:
    """The text of every data cell of the page's tables."""
    found = re.findall(r'<td class="number[^"]*">(.*?)</td>', page, re.DOTALL)
    seen = [re.sub(r'<span class="visually-hidden">.*?</span>', "", cell) for cell in found]
    return [re.sub(r"<[^>]+>", "", unescape(cell)).strip() for cell in seen]


# --- Who reads what -----------------------------------------------------------------------


def test_the_coordinator_reads_every_section_with_its_charts_and_tables(made, persona_client):
    response = get(persona_client("coordinator"))
    assert response.status_code == 200
    assert made == [(2022, None, FIGURES_FULL), (2021, None, FIGURES_FULL)]
    page = response.content.decode()
    assert "<h1>Figures 2022</h1>" in page
    for section in ("people", "visits", "organisations"):
        title = escape(pdf.SECTION_TITLES[section])
        assert f'<h2 id="section-{section}">{title}</h2>' in page
    assert "Caritas International" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2  # the two charts
    assert page.count("<caption") == 4  # the key figures and three tables
    assert '<th scope="row">Centre Alpha</th>' in page
    assert '<th scope="col" class="number">Reach</th>' in page


def test_the_sections_follow_the_order_of_sections_whatever_the_tables_order(
    made, persona_client, monkeypatch
):
    def reversed_tables(*args, **kwargs):
        figures = made_by_hand(*args, **kwargs)
        figures.tables.reverse()
        return figures

    monkeypatch.setattr(yearly, "figures", reversed_tables)
    page = get(persona_client("coordinator")).content.decode()
    places = [page.index(f'id="section-{key}"') for key in ("people", "visits", "organisations")]
    assert places == sorted(places)


def test_a_visitor_reads_the_coalitions_figures_without_the_organisations(made, persona_client):
    response = get(persona_client("visitor_a"))
    assert response.status_code == 200
    assert made[0] == (2022, None, FIGURES_COALITION)
    page = response.content.decode()
    assert 'id="section-organisations"' not in page
    assert "Caritas International" not in page
    assert 'id="section-people"' in page


def test_a_partner_reads_the_published_figures_even_when_asking_for_the_full_ones(
    made, persona_client
):
    response = get(persona_client("partner"), publication="0")
    assert response.status_code == 200
    assert made == [(2022, None, FIGURES_PUBLISHED), (2021, None, FIGURES_PUBLISHED)]
    page = response.content.decode()
    assert "So that nobody can be identified" in page
    assert "Show the internal figures" not in page
    assert 'id="section-organisations"' not in page
    assert "–" in cells(page)


def test_a_partner_finds_no_cell_between_1_and_4_on_the_dashboard(made, persona_client):
    page = get(persona_client("partner")).content.decode()
    shown = cells(page)
    assert shown and not {"1", "2", "3", "4"} & set(shown)
    assert "not published" in page


def test_the_published_version_hides_a_small_key_figure_and_the_ratio_made_of_it(
    persona_client, monkeypatch
):
    def small(*args, **kwargs):
        figures = made_by_hand(*args, **kwargs)
        figures.key["people_accompanied_adult_centres"] = 3
        figures.key["reach_ratio"] = 3 / 4285
        return figures

    monkeypatch.setattr(yearly, "figures", small)
    page = get(persona_client("partner")).content.decode()
    key_table = page[page.index('class="key-figures"') : page.index("</table>")]
    assert ">3<" not in key_table
    assert "0.1%" not in key_table
    assert "accompanied 3 people" not in page  # nor in the activity report's box


def test_a_coordinator_may_look_at_the_version_for_publication(made, persona_client):
    page = get(persona_client("coordinator"), publication="1").content.decode()
    assert made[0] == (2022, None, FIGURES_PUBLISHED)
    assert "Show the internal figures" in page
    assert '<input type="hidden" name="publication" value="1">' in page


def test_the_witness_pool_is_refused(made, persona_client):
    assert get(persona_client("witness_pool")).status_code == 403
    assert made == []


def test_someone_signed_out_is_sent_to_sign_in(made, persona_client):
    response = get(persona_client("anonymous"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Period and comparison ----------------------------------------------------------------


@pytest.mark.parametrize("year", [1999, timezone.localdate().year + 1])
def test_a_year_out_of_range_is_not_found(made, persona_client, year):
    assert get(persona_client("coordinator"), year).status_code == 404


def test_a_compared_year_out_of_range_is_not_found(made, persona_client):
    assert get(persona_client("coordinator"), compare="1999").status_code == 404


def test_a_quarter_is_shown_beside_the_same_quarter_of_the_year_compared(made, persona_client):
    response = get(persona_client("coordinator"), quarter="3")
    assert made == [(2022, 3, FIGURES_FULL), (2021, 3, FIGURES_FULL)]
    page = response.content.decode()
    assert "Figures 2022, quarter 3 (July to September)" in page
    assert "Compared with Q3 2021" in page
    assert '<option value="3" selected>' in page


@pytest.mark.parametrize("quarter", ["0", "5", "spring", ""])
def test_a_quarter_that_does_not_exist_shows_the_year(made, persona_client, quarter):
    response = get(persona_client("coordinator"), quarter=quarter)
    assert response.status_code == 200
    assert made[0] == (2022, None, FIGURES_FULL)


def test_another_year_may_be_compared(made, persona_client):
    page = get(persona_client("coordinator"), compare="2019").content.decode()
    assert made[1] == (2019, None, FIGURES_FULL)
    assert '<th scope="col" class="number">2019</th>' in page


def test_a_compared_year_that_is_not_a_number_is_the_year_before(made, persona_client):
    assert get(persona_client("coordinator"), compare="last").status_code == 200
    assert made[1] == (2021, None, FIGURES_FULL)


def test_the_form_goes_through_the_index_to_the_year_chosen(made, persona_client):
    client = persona_client("coordinator")
    response = client.get(reverse("figures:index"), {"year": "2020", "quarter": "2", "compare": ""})
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("figures:dashboard", kwargs={"year": 2020}) + "?quarter=2"
    )
    bad = client.get(reverse("figures:index"), {"year": "1850"})
    assert bad.status_code == 404


def test_the_index_opens_the_last_whole_year(made, persona_client):
    response = persona_client("visitor_a").get(reverse("figures:index"))
    year = timezone.localdate().year - 1
    assert response["Location"] == reverse("figures:dashboard", kwargs={"year": year})


# --- Key figures and the activity report's box -----------------------------------------------


def test_the_key_figures_show_the_reach_against_its_target(made, persona_client):
    page = get(persona_client("coordinator")).content.decode()
    key_table = page[page.index('class="key-figures"') : page.index("</table>")]
    assert "628" in key_table and "627" in key_table  # 2022 beside 2021
    assert "4,285" in key_table
    assert "14.7%" in key_table  # 628 / 4285 = 14.66 %, rounded half up
    assert "(target: at least 10%)" in key_table
    assert "target met" in key_table


def test_the_activity_reports_box_is_written_in_french_and_in_dutch(made, persona_client):
    page = get(persona_client("coordinator")).content.decode()
    boxes = dict(re.findall(r'<textarea id="paste-(fr|nl)"[^>]*>(.*?)</textarea>', page, re.S))
    assert set(boxes) == {"fr", "nl"}
    assert 'lang="fr"' in page and 'lang="nl"' in page
    # The numbers in each language's notation, whatever the reader's.
    assert "4\xa0285" in unescape(boxes["fr"]) and "14,7" in boxes["fr"]
    assert "4.285" in boxes["nl"] and "14,7" in boxes["nl"]
    for box in boxes.values():
        assert "628" in box and "37" in box and "171" in box


def test_the_box_leaves_out_a_sentence_whose_figure_is_missing(persona_client, monkeypatch):
    def without_newsletter(*args, **kwargs):
        figures = made_by_hand(*args, **kwargs)
        del figures.key["newsletters_sent"]
        return figures

    monkeypatch.setattr(yearly, "figures", without_newsletter)
    response = get(persona_client("coordinator"))
    assert response.status_code == 200
    assert "212" not in re.search(
        r'<textarea id="paste-fr".*?</textarea>', response.content.decode(), re.S
    ).group(0)


# --- Tables -------------------------------------------------------------------------------


def test_numbers_are_written_in_the_readers_language(made, persona_client):
    client = persona_client("coordinator")
    client.cookies["django_language"] = "nl"
    page = get(client).content.decode()
    assert '<td class="number">15,0%</td>' in page  # 300 / 2000
    assert '<td class="number">2,3</td>' in page  # a median, one decimal, rounded half up
    assert '<td class="number total">4.325</td>' in page


def test_a_note_and_the_legend_of_suppressed_cells_follow_their_table(made, persona_client):
    page = get(persona_client("partner")).content.decode()
    assert "People met at least once in the year." in page
    assert "– not published, so that nobody can be identified" in page


# --- Exports --------------------------------------------------------------------------------


def export(client, format, year=2022, **query):
    return client.get(reverse("figures:export", kwargs={"year": year, "format": format}), query)


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_coordinator_downloads_the_csv(made, persona_client):
    response = export(persona_client("coordinator"), "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="move-figures-2022.csv"'
    rows = csv_rows(response)
    assert {
        "table": "people_by_centre",
        "row": "c3",
        "column": "people",
        "value": "3",
        "suppressed": "0",
    } in rows
    assert made == [(2022, None, FIGURES_FULL)]


def test_the_coordinator_downloads_the_xlsx(made, persona_client):
    response = export(persona_client("coordinator"), "xlsx", quarter="2")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="move-figures-2022-Q2.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) >= 3
    assert made == [(2022, 2, FIGURES_FULL)]


def test_a_partner_downloads_a_csv_with_no_cell_between_1_and_4(made, persona_client):
    response = export(persona_client("partner"), "csv", publication="0")
    assert response.status_code == 200
    assert "published" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows
    assert not [row for row in rows if row["value"] in {"1", "2", "3", "4"}]
    assert any(row["suppressed"] == "1" and row["value"] == "" for row in rows)


def test_a_partner_downloads_an_xlsx_of_the_published_figures(made, persona_client):
    response = export(persona_client("partner"), "xlsx")
    assert response.status_code == 200
    assert made == [(2022, None, FIGURES_PUBLISHED)]


def test_downloads_are_kept_by_no_browser_nor_proxy(made, persona_client):
    response = export(persona_client("coordinator"), "csv")
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_the_pdf_is_not_downloaded_but_asked_for(made, persona_client):
    response = export(persona_client("coordinator"), "pdf")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_an_unknown_format_is_not_found(made, persona_client):
    client = persona_client("coordinator")
    assert export(client, "ods").status_code == 404
    url = reverse("figures:export", kwargs={"year": 2022, "format": "ods"})
    assert client.post(url, {"language": "fr"}).status_code == 404


def test_a_csv_is_not_posted(made, persona_client):
    url = reverse("figures:export", kwargs={"year": 2022, "format": "csv"})
    response = persona_client("coordinator").post(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_the_witness_pool_downloads_nothing(made, persona_client):
    assert export(persona_client("witness_pool"), "csv").status_code == 403


def test_a_download_of_a_year_out_of_range_is_not_found(made, persona_client):
    assert export(persona_client("coordinator"), "csv", year=1999).status_code == 404


# --- The PDF, a Job ----------------------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    """The PDF's task, not run: its calls."""
    calls = []
    monkeypatch.setattr(tasks.make_figures_pdf, "delay_on_commit", lambda *args: calls.append(args))
    return calls


def ask_pdf(client, year=2022, **data):
    return client.post(reverse("figures:export", kwargs={"year": year, "format": "pdf"}), data)


def test_the_coordinator_asks_for_the_pdf_and_follows_its_job(
    made, queued, persona_client, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_pdf(persona_client("coordinator"), quarter="2", language="nl")
    job = Job.objects.get(owner=coordinator)
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:job-detail", kwargs={"code": job.code})
    assert job.kind == pdf.KIND and job.language == "nl"
    assert queued == [(job.pk, 2022, 2, "nl", FIGURES_FULL)]


def test_the_coordinator_asks_for_the_pdf_for_publication(
    made, queued, persona_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_pdf(persona_client("coordinator"), language="fr", publication="on")
    assert queued[0][1:] == (2022, None, "fr", FIGURES_PUBLISHED)


def test_a_partner_gets_the_published_pdf_whatever_it_asks(
    made, queued, persona_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_pdf(persona_client("partner"), language="fr", publication="")
    assert response.status_code == 302
    assert queued[0][-1] == FIGURES_PUBLISHED


def test_the_dashboard_offers_the_publication_checkbox_to_coordinators_only(made, persona_client):
    assert 'name="publication"' in get(persona_client("coordinator")).content.decode()
    page = get(persona_client("partner")).content.decode()
    assert 'type="checkbox" name="publication"' not in page


@pytest.mark.parametrize("data", [{}, {"language": "de"}, {"language": "fr", "quarter": "5"}])
def test_a_pdf_asked_for_badly_is_refused_with_the_reason(made, queued, persona_client, data):
    response = ask_pdf(persona_client("coordinator"), **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The PDF was not asked for" in page
    assert 'role="alert"' in page
    assert not Job.objects.exists() and queued == []


def test_the_refusal_is_in_the_readers_language(made, queued, persona_client):
    client = persona_client("coordinator")
    client.cookies["django_language"] = "fr"
    response = ask_pdf(client, language="de")
    assert response.status_code == 400
    assert '<html lang="fr">' in response.content.decode()


def test_the_witness_pool_may_not_ask_for_the_pdf(made, queued, persona_client):
    assert ask_pdf(persona_client("witness_pool"), language="fr").status_code == 403


# --- With the real yearly.figures, on a few records ---------------------------------------------


@pytest.fixture
def records(visitor_a, org_a):
    """Three people met in 2022 in one adult centre and twelve in another: a small
    number to suppress, and counts to publish."""
    from datetime import date

    from detainees import services
    from detainees.models import Accompaniment
    from move.centres.models import Centre
    from tests.detainees.conftest import new_person
    from tests.factories import CentreFactory, CentreYearFactory
    from visits.models import Visit

    def met(people: int, code: str, day: date):
        centre = CentreFactory(code=code, kind=Centre.Kind.ADULT_CENTRE)
        CentreYearFactory(centre=centre, year=2022, people_detained=700)
        visit = Visit.objects.create(centre=centre, date=day, status=Visit.Status.DONE)
        visit.visitors.add(visitor_a)
        for number in range(people):
            person = new_person(visitor_a, org_a, name=(f"Given{code}{number}", "Surname"))
            services.record_accompaniment(visitor_a, person, Accompaniment(visit=visit))

    def more(people: int, code: str):
        met(people, code, date(2022, 6, 15))

    met(3, "small", date(2022, 3, 10))
    met(12, "large", date(2022, 5, 12))
    return more


def test_the_coordinator_reads_the_figures_counted_from_the_records(records, persona_client):
    client = persona_client("coordinator")
    page = get(client).content.decode()
    key_table = page[page.index('class="key-figures"') : page.index("</table>")]
    assert '<td class="number">15' in key_table
    rows = csv_rows(export(client, "csv"))
    assert "3" in {row["value"] for row in rows}


def test_a_partner_finds_no_cell_between_1_and_4_in_the_figures_of_the_records(
    records, persona_client
):
    client = persona_client("partner")
    published = yearly.figures(2022, variant=FIGURES_PUBLISHED)
    kinds = {
        (table.key, column): kind
        for table in published.tables
        for column, _l, kind in table.columns
    }
    rows = csv_rows(export(client, "csv"))
    counts = [row for row in rows if kinds[row["table"], row["column"]] == COUNT]
    assert not [row for row in counts if row["value"] in {"1", "2", "3", "4"}]
    assert any(row["suppressed"] == "1" for row in counts)
    shown = cells(get(client).content.decode())
    assert not {"1", "2", "3", "4"} & set(shown)


def test_the_dashboard_takes_as_many_queries_whatever_the_records(
    records, persona_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_permission_matrix import AGGREGATE_BUDGET

    client = persona_client("coordinator")
    get(client)  # the session and the permissions, as on any page
    counts = []
    for _world in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert get(client).status_code == 200
        counts.append(len(queries))
        records(20, f"more{len(counts)}")
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(AGGREGATE_BUDGET["figures:dashboard"]):
        get(client)


# --- The published figures are yearly only ---------------------------------------------------


def test_a_partner_asking_for_a_quarter_reads_the_years_figures(made, persona_client):
    response = get(persona_client("partner"), quarter="2")
    assert response.status_code == 200
    assert made == [(2022, None, FIGURES_PUBLISHED), (2021, None, FIGURES_PUBLISHED)]
    page = unescape(response.content.decode())
    assert "The published figures are yearly only" in page
    assert "Figures 2022" in page and "quarter 2" not in page


def test_the_version_for_publication_of_a_quarter_is_the_years(made, persona_client):
    get(persona_client("coordinator"), quarter="2", publication="1")
    assert made == [(2022, None, FIGURES_PUBLISHED), (2021, None, FIGURES_PUBLISHED)]


def test_a_published_export_asked_for_a_quarter_is_the_years(made, persona_client):
    assert export(persona_client("partner"), "csv", quarter="2").status_code == 200
    assert (
        export(persona_client("visitor_a"), "xlsx", quarter="2", publication="1").status_code == 200
    )
    assert made == [(2022, None, FIGURES_PUBLISHED)] * 2


def test_a_partner_posting_a_quarter_gets_the_years_pdf(persona_client, monkeypatch):
    monkeypatch.setattr(tasks.make_figures_pdf, "delay", lambda *args: None)
    url = reverse("figures:export", kwargs={"year": 2022, "format": "pdf"})
    response = persona_client("partner").post(url, {"quarter": "2", "language": "fr"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.subject == "2022" and job.filename.endswith("-publication.pdf")


# --- The contributions are internal ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "query"), [("visitor_a", {"publication": "1"}), ("partner", {})]
)
def test_the_published_csv_has_no_contributions(persona_client, persona, query):
    """The real figures (not made by hand): a visitor's version for publication and a
    partner's CSV carry no line of each organisation's contribution."""
    response = export(persona_client(persona), "csv", **query)
    assert response.status_code == 200
    text = response.content.decode()
    assert "\ncontributions," not in text and not text.startswith("contributions,")
    assert "\ncontributions," in export(persona_client("coordinator"), "csv").content.decode()
