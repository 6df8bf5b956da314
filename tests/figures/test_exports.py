"""The figures as CSV (long form, exactly `table,row,column,value,suppressed`) and XLSX
(one sheet per table, typed numbers, frozen header), from figures built by hand."""

import csv
import io

import openpyxl
import pytest

from figures.exports import HEADER, csv_bytes, filename, xlsx_bytes
from figures.suppression import suppress
from figures.tables import COUNT, FRACTION, NUMBER, Figures, Table
from move.accounts.permissions import FIGURES_COALITION, FIGURES_FULL, FIGURES_PUBLISHED


def people_table():
    table = Table(
        key="people_by_centre",
        title="People accompanied in the adult centres",
        section="people",
        row_header="Centre",
        rows=[
            ("vottem", "Vottem"),
            ("bruges", "Bruges"),
            ("holsbeek", "Holsbeek"),
            ("total", "Total"),
        ],
        columns=[
            ("people", "People accompanied", COUNT),
            ("reach", "Reach", FRACTION),
            ("median_days", "Median days", NUMBER),
        ],
        total_row="total",
        note="Distinct people met at least once.",
    )
    for row, people, detained, median in (
        ("vottem", 90, 612, 31.25),
        ("bruges", 121, 827, 40.0),
        ("holsbeek", 3, 223, 12.5),
        ("total", 214, 1662, 35.5),
    ):
        table.cells[row, "people"] = people
        table.cells[row, "reach"] = people / detained
        table.cells[row, "median_days"] = median
        table.made_of[row, "reach"] = (table.key, row, "people")
        table.made_of[row, "median_days"] = (table.key, row, "people")
    return table


def quarters_table():
    table = Table(
        key="visits_by_quarter_and_centre_of_detention",  # longer than a sheet title may be
        title="Visits per quarter",
        section="visits",
        row_header="Quarter",
        rows=[("2022-Q1", "Q1"), ("2022-Q2", "Q2")],
        columns=[("visits", "Visits", COUNT), ("na", "Not applicable", NUMBER)],
    )
    table.cells["2022-Q1", "visits"] = 40
    table.cells["2022-Q2", "visits"] = 0
    return table


def figures(variant=FIGURES_FULL, quarter=None):
    people = people_table()
    sums = [
        (
            ("people_by_centre", "total", "people"),
            [("people_by_centre", row, "people") for row in ("vottem", "bruges", "holsbeek")],
        )
    ]
    return Figures(
        year=2022,
        quarter=quarter,
        variant=variant,
        language="en",
        key={},
        tables=[people, quarters_table()],
        sums=sums,
    )


def published():
    return suppress(figures(FIGURES_PUBLISHED), 5)


def lines_of(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


# --- Names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "quarter", "extension", "name"),
    [
        (FIGURES_FULL, None, "xlsx", "move-figures-2022.xlsx"),
        (FIGURES_COALITION, 3, "csv", "move-figures-2022-Q3.csv"),
        (FIGURES_PUBLISHED, None, ".csv", "move-figures-2022-published.csv"),
        (FIGURES_PUBLISHED, 1, "xlsx", "move-figures-2022-Q1-published.xlsx"),
    ],
)
def test_the_file_is_named_after_the_year_the_quarter_and_the_variant(
    variant, quarter, extension, name
):
    assert filename(figures(variant, quarter), extension) == name


# --- CSV --------------------------------------------------------------------------------


def test_the_csv_header_is_exactly_the_issues():
    data = csv_bytes(figures())
    assert data.decode("utf-8").splitlines()[0] == "table,row,column,value,suppressed"
    assert lines_of(data)[0] == list(HEADER)


def test_the_csv_has_one_line_per_cell_in_order():
    data = figures()
    lines = lines_of(csv_bytes(data))[1:]
    expected = [
        [table.key, row, column]
        for table in data.tables
        for row, _ in table.rows
        for column, _, _ in table.columns
    ]
    assert [line[:3] for line in lines] == expected


def test_the_csv_writes_numbers_for_machines():
    values = {
        (line["table"], line["row"], line["column"]): line["value"]
        for line in csv.DictReader(io.StringIO(csv_bytes(figures()).decode("utf-8")))
    }
    assert values["people_by_centre", "vottem", "people"] == "90"
    assert values["people_by_centre", "vottem", "reach"] == "0.1471"  # 90 / 612
    assert values["people_by_centre", "vottem", "median_days"] == "31.25"
    assert values["people_by_centre", "bruges", "median_days"] == "40"
    assert values["visits_by_quarter_and_centre_of_detention", "2022-Q2", "visits"] == "0"
    assert values["visits_by_quarter_and_centre_of_detention", "2022-Q1", "na"] == ""
    assert float(values["people_by_centre", "total", "reach"]) == pytest.approx(214 / 1662, 1e-3)


def test_a_suppressed_cell_has_an_empty_value_and_a_1():
    lines = list(csv.DictReader(io.StringIO(csv_bytes(published()).decode("utf-8"))))
    suppressed = [line for line in lines if line["suppressed"] == "1"]
    assert {(line["row"], line["column"]) for line in suppressed} >= {
        ("holsbeek", "people"),
        ("holsbeek", "reach"),
        ("holsbeek", "median_days"),
    }
    assert all(line["value"] == "" for line in suppressed)
    assert {line["suppressed"] for line in lines} == {"0", "1"}
    assert all(line["value"] != "3" for line in lines)


def test_a_partner_finds_no_count_between_1_and_4_in_the_csv():
    data = published()
    kinds = {(t.key, key): kind for t in data.tables for key, _, kind in t.columns}
    for line in csv.DictReader(io.StringIO(csv_bytes(data).decode("utf-8"))):
        if kinds[line["table"], line["column"]] == COUNT and line["value"]:
            assert not 1 <= int(line["value"]) <= 4


def test_the_csv_writes_keys_not_labels():
    text = csv_bytes(figures()).decode("utf-8")
    assert "Holsbeek" not in text
    assert "People accompanied" not in text


# --- XLSX -------------------------------------------------------------------------------


def test_the_workbook_has_an_about_sheet_then_one_sheet_per_table():
    book = workbook(xlsx_bytes(figures()))
    assert book.sheetnames == ["About", "people_by_centre", "visits_by_quarter_and_centre_of"]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_sheet_titles_stay_unique_when_keys_are_cut():
    data = figures()
    twin = quarters_table()
    twin.key = "visits_by_quarter_and_centre_of_origin"
    data.tables.append(twin)
    names = workbook(xlsx_bytes(data)).sheetnames
    assert len(set(name.lower() for name in names)) == len(names) == 4
    assert names[3] == "visits_by_quarter_and_centre_~2"


def test_each_sheet_has_the_title_then_a_frozen_header():
    sheet = workbook(xlsx_bytes(figures()))["people_by_centre"]
    assert sheet["A1"].value == "People accompanied in the adult centres"
    assert [cell.value for cell in sheet[2]] == [
        "Centre",
        "People accompanied",
        "Reach",
        "Median days",
    ]
    assert sheet.freeze_panes == "B3"
    assert sheet["A3"].value == "Vottem"
    assert sheet.column_dimensions["A"].width >= len("Centre")
    assert sheet.column_dimensions["B"].width >= len("People accompanied")


def test_numbers_are_typed_with_their_formats():
    sheet = workbook(xlsx_bytes(figures()))["people_by_centre"]
    count, reach, median = sheet["B3"], sheet["C3"], sheet["D3"]
    assert count.value == 90 and isinstance(count.value, int) and count.data_type == "n"
    assert isinstance(reach.value, float) and reach.number_format == "0.0%"
    assert reach.value == pytest.approx(90 / 612)
    assert median.value == 31.25 and median.number_format == "0.0"


def test_suppressed_cells_are_empty_with_a_comment_and_a_legend():
    book = workbook(xlsx_bytes(published()))
    sheet = book["people_by_centre"]
    holsbeek = [cell for cell in sheet[5]]
    assert holsbeek[0].value == "Holsbeek"
    assert [cell.value for cell in holsbeek[1:]] == [None, None, None]
    assert all(cell.comment is not None for cell in holsbeek[1:])
    texts = [row[0] for row in sheet.iter_rows(min_row=7, values_only=True) if row[0]]
    assert texts[0] == "Distinct people met at least once."
    assert "fewer than 5 people" in texts[1]
    about = [row for row in book["About"].iter_rows(values_only=True)]
    assert ("Suppression threshold", 5) in about
    assert ("Year", 2022) in about


def test_the_full_variant_has_no_threshold_line():
    about = list(workbook(xlsx_bytes(figures()))["About"].iter_rows(values_only=True))
    assert not [row for row in about if row[0] == "Suppression threshold"]
    assert ("Version", "Internal version: with each organisation's contribution") in about


def test_a_label_that_looks_like_a_formula_stays_text():
    data = figures()
    data.tables[0].rows[0] = ("vottem", '=HYPERLINK("http://x")')
    sheet = workbook(xlsx_bytes(data))["people_by_centre"]
    assert sheet["A3"].value == '=HYPERLINK("http://x")'
    assert sheet["A3"].data_type == "s"
