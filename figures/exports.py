"""The figures as files: CSV in long form for machines, XLSX for people who work in a
spreadsheet (issue 13). Both are written from a `Figures` as it is given: the published
variant arrives already suppressed (figures/suppression.py), and a suppressed cell is
written empty and marked, never as its value.

The CSV holds only stable keys (ASCII, chosen by figures/yearly.py) and numbers, never a
label or anything a user typed, so no field can start with "=", "+", "-" or "@" as text:
protection against formula injection is irrelevant there (a negative number is a number
to every spreadsheet). The XLSX holds labels; each is stored as a string cell, never as a
formula, whatever it starts with (_put).
"""

import csv
import io
import re
from datetime import date

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from figures.tables import COUNT, FRACTION, NUMBER, Figures, Table
from move.accounts.permissions import FIGURES_COALITION, FIGURES_FULL, FIGURES_PUBLISHED

HEADER = ("table", "row", "column", "value", "suppressed")
PLACES = {FRACTION: 4, NUMBER: 2}  # decimals written in the CSV
# The number format of a float; an int keeps "General", except a fraction (0 or 1): "0.0%".
FORMATS = {FRACTION: "0.0%", NUMBER: "0.0", COUNT: "0"}
SHEET_TITLE_LENGTH = 31  # Excel's limit
NOT_IN_SHEET_TITLES = re.compile(r"[\[\]:*?/\\']")
WIDTH = (8, 60)  # the narrowest and widest column, in characters


def filename(figures: Figures, extension: str) -> str:
    """move-figures-2022.xlsx, move-figures-2022-Q3.csv, move-figures-2022-published.csv."""
    name = f"move-figures-{figures.year}"
    if figures.quarter:
        name += f"-Q{figures.quarter}"
    if figures.variant == FIGURES_PUBLISHED:
        name += "-published"
    return f"{name}.{extension.lstrip('.')}"


# --- CSV -------------------------------------------------------------------------------


def csv_bytes(figures: Figures) -> bytes:
    """One line per cell of every table, rows by columns in order: its table, row and
    column keys, its value (empty when None) and 1 when it is suppressed, else 0."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for table in figures.tables:
        for row, _label in table.rows:
            for column, _label, kind in table.columns:
                suppressed = (row, column) in table.suppressed
                value = None if suppressed else table.value(row, column)
                writer.writerow(
                    (table.key, row, column, _machine(value, kind), "1" if suppressed else "0")
                )
    return out.getvalue().encode("utf-8")


def _machine(value, kind: str) -> str:
    """A number as a program reads it back: 628, 0.1466, 37.5; '' for None."""
    if value is None:
        return ""
    if isinstance(value, int) or (kind == COUNT and float(value).is_integer()):
        return str(int(value))
    text = f"{value:.{PLACES.get(kind, 4)}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --- XLSX ------------------------------------------------------------------------------


def xlsx_bytes(figures: Figures) -> bytes:
    """A first sheet "About" (which figures, when exported, what suppressed means), then
    one sheet per table: its title, a frozen header, typed numbers."""
    book = Workbook()
    titles: set[str] = set()
    about = book.active
    about.title = _sheet_title(_("About"), titles)
    _about(about, figures)
    for table in figures.tables:
        sheet = book.create_sheet(_sheet_title(table.key, titles))
        _table_sheet(sheet, table, figures)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def variant_label(variant: str) -> str:
    return {
        FIGURES_FULL: _("Internal version: with each organisation's contribution"),
        FIGURES_COALITION: _("Internal version: the coalition's figures"),
        FIGURES_PUBLISHED: _("Published version: small numbers suppressed"),
    }[variant]


def suppressed_legend(figures: Figures) -> str:
    return _(
        "Empty and marked “suppressed”: fewer than %(threshold)d people, or a cell from which "
        "such a number could be worked out."
    ) % {"threshold": figures.threshold}


def _about(sheet, figures: Figures) -> None:
    title = _("Move: the figures of the year %(year)d") % {"year": figures.year}
    _put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    lines = [
        (_("Year"), figures.year),
        (_("Quarter"), f"Q{figures.quarter}" if figures.quarter else _("The whole year")),
        (_("Version"), variant_label(figures.variant)),
    ]
    if figures.variant == FIGURES_PUBLISHED:
        lines.append((_("Suppression threshold"), figures.threshold))
        lines.append((_("Suppressed cells"), suppressed_legend(figures)))
    lines.append((_("Exported on"), timezone.localdate()))
    for number, (label, value) in enumerate(lines, start=3):
        _put(sheet, number, 1, label).font = Font(bold=True)
        cell = _put(sheet, number, 2, value)
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 80


def _sheet_title(key: str, taken: set[str]) -> str:
    """A valid sheet title made of a table's key (or a translated word): at most 31
    characters, none of []:*?/\\', different (whatever the case, as Excel compares them)
    from every title before it."""
    base = NOT_IN_SHEET_TITLES.sub("_", key)[:SHEET_TITLE_LENGTH] or "table"
    title, number = base, 1
    while title.lower() in taken:
        number += 1
        suffix = f"~{number}"
        title = base[: SHEET_TITLE_LENGTH - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _table_sheet(sheet, table: Table, figures: Figures) -> None:
    _put(sheet, 1, 1, table.title).font = Font(bold=True, size=13)
    header = [table.row_header] + [label for _key, label, _kind in table.columns]
    for number, label in enumerate(header, start=1):
        cell = _put(sheet, 2, number, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B3"  # the title and the header stay, and so do the rows' labels
    widths = [len(str(label)) for label in header]
    for number, (row, label) in enumerate(table.rows, start=3):
        total = row == table.total_row
        _put(sheet, number, 1, label).font = Font(bold=total)
        widths[0] = max(widths[0], len(str(label)))
        for index, (column, _label, kind) in enumerate(table.columns, start=2):
            cell = sheet.cell(row=number, column=index)
            if (row, column) in table.suppressed:
                cell.comment = Comment(_("Suppressed"), "Move")
                continue
            cell.value = _typed(table.value(row, column), kind)
            if isinstance(cell.value, float) or kind == FRACTION:
                cell.number_format = FORMATS[kind]
            cell.font = Font(bold=total or column == table.total_column)
            widths[index - 1] = max(widths[index - 1], len(_machine(cell.value, kind)) + 2)
    below = len(table.rows) + 4
    for text in (table.note, suppressed_legend(figures) if table.suppressed else ""):
        if text:
            _put(sheet, below, 1, text).font = Font(italic=True)
            below += 1
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(max(width, WIDTH[0]), WIDTH[1])


def _typed(value, kind: str):
    """A number, never text: an int stays an int (a count, an official figure), a fraction
    or a median a float."""
    if value is None or isinstance(value, int):
        return value
    if kind == COUNT and float(value).is_integer():
        return int(value)
    return float(value)


def _put(sheet, row: int, column: int, value):
    """Write a value; a text stays text even if it starts with "=" (openpyxl would store
    it as a formula)."""
    if isinstance(value, Promise):
        value = str(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
