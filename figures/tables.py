"""The shape every figure travels in, from the records to the page, the PDF, the XLSX and
the CSV (figures/yearly.py builds them, figures/suppression.py hides the small cells,
figures/exports.py, figures/charts.py and figures/pdf.py write them).

A `Table` is a grid of cells addressed by stable keys (never by translated labels): the
CSV's `table,row,column` are `Table.key`, a row key and a column key. Labels are in the
language active when the table was built. A cell holds an int (a count), a float (a
fraction 0..1, a median, a mean) or None (not applicable, or suppressed: then its address
is in `Table.suppressed`).

Every linear relation between published cells is declared in `Figures.sums`, within a
table (row and column totals) and across tables (a table that breaks another down): the
suppression makes sure that no suppressed cell can be worked out from them, and the
adversary in tests/figures/test_suppression.py tries. A count of distinct people is not
additive over quarters or organisations (one person met in two quarters counts once in
the year): such margins are not sums and are not declared.
"""

from dataclasses import dataclass, field

# Kinds of column: how a value is written and whether it can be suppressed.
COUNT = "count"  # people, visits, reports...: an int, suppressible
FRACTION = "fraction"  # 0..1, written as a percentage; follows the count it is made of
NUMBER = "number"  # a median, a mean, a number of days: follows the count it is made of

Cell = tuple[str, str, str]  # (table key, row key, column key)


@dataclass
class Table:
    key: str  # stable, ASCII, e.g. "people_by_centre": the CSV's `table`
    title: str  # in the reader's language
    section: str  # the dashboard's and the PDF's section: one of SECTIONS
    row_header: str  # the label of the rows' header cell, e.g. "Centre"
    rows: list[tuple[str, str]]  # (key, label): keys stable (centre code, "2022-Q1", "total")
    columns: list[tuple[str, str, str]]  # (key, label, kind COUNT/FRACTION/NUMBER)
    cells: dict[tuple[str, str], int | float | None] = field(default_factory=dict)
    # The count a FRACTION or NUMBER cell is made of (e.g. the reach ratio of a centre is
    # made of its people accompanied; a median of the spells it is the median of): when
    # that count is suppressed, this cell is suppressed with it.
    made_of: dict[tuple[str, str], Cell] = field(default_factory=dict)
    total_row: str | None = None  # the key of the row that totals the others, if any
    total_column: str | None = None
    chart: str | None = None  # "bar", "barh", "line" or None (a table only)
    note: str = ""  # in the reader's language: what is counted and how
    suppressed: set[tuple[str, str]] = field(default_factory=set)

    def value(self, row: str, column: str):
        return self.cells.get((row, column))

    def kind(self, column: str) -> str:
        return next(kind for key, _label, kind in self.columns if key == column)


@dataclass
class Figures:
    """Everything shown for one year, or one quarter of it."""

    year: int
    quarter: int | None  # 1..4, or None for the whole year
    variant: str  # permissions.FIGURES_FULL / FIGURES_COALITION / FIGURES_PUBLISHED
    language: str
    key: dict  # yearly.key_figures(year) (or of the quarter), before any suppression
    tables: list[Table] = field(default_factory=list)
    # Each (total, parts): the value of `total` is the sum of the values of `parts`.
    sums: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    threshold: int = 5  # cells from 1 to threshold-1 are suppressed in the published variant

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


# The sections, in the order of the dashboard and the PDF.
SECTIONS = ("people", "visits", "reports", "detention", "legal", "advocacy", "organisations")
