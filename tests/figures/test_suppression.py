"""Small-cell suppression (figures/suppression.py) against an adversary written without
looking at how the cells are chosen: for every suppressed cell, scipy's linear programme
minimises and maximises it subject to every published value, every declared sum, every
hidden count >= 1 (zeros are always published, so a reader knows a hidden count is not
zero: stronger than x >= 0) and every part <= its published total; then an integer
programme looks for another whole number it could be. Nothing may come out: min < max,
the true value inside, and some other integer possible."""

import copy
import random
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from figures import suppression, yearly
from figures.suppression import audit, suppress
from figures.tables import COUNT, FRACTION, NUMBER, Figures, Table
from move.accounts.permissions import FIGURES_FULL, FIGURES_PUBLISHED

THRESHOLD = 5
QUARTERS = ("q1", "q2", "q3", "q4")


# --- Building figures by hand --------------------------------------------------------


def table_with_totals(key, inner, *, columns=None):
    """A table of counts with a total column and a total row, and the sums between them
    (each row, each column, the grand total both ways)."""
    rows = [(f"r{i}", f"Row {i}") for i in range(len(inner))] + [("total", "Total")]
    columns = columns or [f"c{j}" for j in range(len(inner[0]))]
    table = Table(
        key=key,
        title=f"Table {key}",
        section="people",
        row_header="Row",
        rows=rows,
        columns=[(c, c.upper(), COUNT) for c in columns] + [("total", "Total", COUNT)],
        total_row="total",
        total_column="total",
    )
    for (row, _label), values in zip(rows, inner, strict=False):
        for column, value in zip(columns, values, strict=True):
            table.cells[(row, column)] = value
        table.cells[(row, "total")] = sum(values)
    for column in columns + ["total"]:
        table.cells[("total", column)] = sum(table.cells[(row, column)] for row, _ in rows[:-1])
    sums = [((key, row, "total"), [(key, row, column) for column in columns]) for row, _ in rows]
    sums += [
        ((key, "total", column), [(key, row, column) for row, _ in rows[:-1]])
        for column in columns + ["total"]
    ]
    return table, sums


def centres_and_quarters(per_quarter):
    """Visits per centre (with the share of all visits, a fraction made of the count) and
    the same per centre and quarter: the second breaks the first down, sharing its totals."""
    centres = [f"centre{i}" for i in range(len(per_quarter))]
    quarters, sums = table_with_totals("visits_by_quarter", per_quarter, columns=list(QUARTERS))
    quarters.rows = [(c, c.title()) for c in centres] + [("total", "Total")]
    quarters.cells = {
        (centres[int(r[1:])] if r != "total" else r, c): v for (r, c), v in quarters.cells.items()
    }
    rename = {f"r{i}": centre for i, centre in enumerate(centres)}
    sums = [
        (_renamed(total, rename), [_renamed(part, rename) for part in parts])
        for total, parts in sums
    ]
    grand = sum(map(sum, per_quarter))
    by_centre = Table(
        key="visits_by_centre",
        title="Visits per centre",
        section="visits",
        row_header="Centre",
        rows=[(c, c.title()) for c in centres] + [("total", "Total")],
        columns=[("visits", "Visits", COUNT), ("share", "Share", FRACTION)],
        total_row="total",
    )
    for centre, values in zip(centres + ["total"], [*per_quarter, None], strict=True):
        count = sum(values) if values is not None else grand
        by_centre.cells[(centre, "visits")] = count
        by_centre.cells[(centre, "share")] = count / grand if grand else None
        by_centre.made_of[(centre, "share")] = [
            ("visits_by_centre", centre, "visits"),
            ("visits_by_centre", "total", "visits"),
        ]
    sums.append(
        (
            ("visits_by_centre", "total", "visits"),
            [("visits_by_centre", c, "visits") for c in centres],
        )
    )
    sums += [
        (("visits_by_centre", c, "visits"), [("visits_by_quarter", c, "total")])
        for c in centres + ["total"]
    ]
    return [by_centre, quarters], sums


def _renamed(cell, rename):
    return (cell[0], rename.get(cell[1], cell[1]), cell[2])


def figures_of(tables, sums):
    return Figures(
        year=2022,
        quarter=None,
        variant=FIGURES_PUBLISHED,
        language="en",
        key={},
        tables=tables,
        sums=sums,
    )


def one_table(inner):
    table, sums = table_with_totals("people", inner)
    return figures_of([table], sums)


# --- The adversary -------------------------------------------------------------------


def hidden_cells(figures):
    return [
        (table.key, row, column)
        for table in figures.tables
        for row, _ in table.rows
        for column, _, _ in table.columns
        if (row, column) in table.suppressed
    ]


def kind_of(figures, cell):
    return figures.table(cell[0]).kind(cell[2])


def published(figures, cell):
    return figures.table(cell[0]).value(cell[1], cell[2]) or 0


# What a reader knows of the ratios of the year from their notes, whatever the tables
# declare: (table, column) -> (numerator column, denominator: a column of the same row or
# a cell). A published ratio r ties them: numerator - r * denominator = 0.
RATIOS = {
    ("people_by_centre", "reach"): ("people", "detained"),
    ("visits_by_centre", "coverage"): ("weeks_covered", "weeks"),
    ("help_by_channel", "share_within"): ("within", "judged"),
    ("vulnerabilities", "share"): ("people", ("nationalities", "total", "people")),
    ("meetings_per_person", "per_person"): ("meetings", "people"),
}


def ratios(figures):
    """(numerator, denominator, published value) of every ratio a reader can read: those
    of RATIOS, and every FRACTION made of two cells (numerator, denominator)."""
    found = {}
    for table in figures.tables:
        for row, _ in table.rows:
            for column, _, kind in table.columns:
                value = table.value(row, column)
                if value is None:
                    continue
                known = RATIOS.get((table.key, column))
                made_of = table.made_of.get((row, column))
                if known is not None:
                    numerator, denominator = known
                    if isinstance(denominator, str):
                        denominator = (table.key, row, denominator)
                    found[table.key, row, column] = ((table.key, row, numerator), denominator)
                elif kind == FRACTION and made_of and not isinstance(made_of[0], str):
                    found[table.key, row, column] = tuple(tuple(cell) for cell in made_of[:2])
    return [
        (numerator, denominator, figures.table(cell[0]).value(cell[1], cell[2]))
        for cell, (numerator, denominator) in found.items()
    ]


def reader_system(figures):
    """What a reader has: A x = b over the hidden cells, and each one's bounds: the declared
    sums, and each published ratio times its denominator equal to its numerator."""
    hidden = hidden_cells(figures)
    index = {cell: i for i, cell in enumerate(hidden)}
    rows, rhs = [], []
    upper = [np.inf] * len(hidden)
    for numerator, denominator, ratio in ratios(figures):
        row, b = np.zeros(len(hidden)), 0.0
        for cell, factor in ((numerator, 1.0), (denominator, -ratio)):
            if cell in index:
                row[index[cell]] += factor
            else:
                b -= factor * published(figures, cell)
        if row.any():
            rows.append(row)
            rhs.append(b)
    for total, parts in figures.sums:
        row, b = np.zeros(len(hidden)), 0.0
        for cell, sign in [(tuple(total), 1)] + [(tuple(part), -1) for part in parts]:
            if cell in index:
                row[index[cell]] += sign
            else:
                b -= sign * published(figures, cell)
        if row.any():
            rows.append(row)
            rhs.append(b)
        if tuple(total) not in index:
            for part in parts:
                if tuple(part) in index:
                    i = index[tuple(part)]
                    upper[i] = min(upper[i], published(figures, tuple(total)))
    lower = [1.0 if kind_of(figures, cell) == COUNT else 0.0 for cell in hidden]
    for i, cell in enumerate(hidden):
        if kind_of(figures, cell) == FRACTION:
            upper[i] = min(upper[i], 1.0)
    a = np.array(rows) if rows else np.zeros((0, len(hidden)))
    return hidden, a, np.array(rhs), lower, upper


def recovered(figures, truth):
    """The hidden cells the adversary pins down (or whose interval leaves the truth out)."""
    hidden, a, b, lower, upper = reader_system(figures)
    n = len(hidden)
    found = []
    for i, cell in enumerate(hidden):
        objective = np.zeros(n)
        objective[i] = 1
        bounds = list(zip(lower, [None if u == np.inf else u for u in upper], strict=True))
        equalities = {"A_eq": a, "b_eq": b} if len(b) else {}
        low = linprog(objective, bounds=bounds, method="highs", **equalities)
        high = linprog(-objective, bounds=bounds, method="highs", **equalities)
        assert low.status == 0, (cell, low.message)
        top = np.inf if high.status == 3 else -high.fun
        value = truth[cell] or 0
        interval = top - low.fun > 1e-6 and low.fun - 1e-6 <= value <= top + 1e-6
        if not interval or (
            kind_of(figures, cell) == COUNT and not another_integer(a, b, lower, upper, i, value)
        ):
            found.append(cell)
    return found


def another_integer(a, b, lower, upper, i, value):
    """Whether the counts can be whole numbers with cell i different from its value."""
    n = len(lower)
    integrality = np.ones(n)
    for other, bound in ((lower[i], value - 1), (value + 1, upper[i])):
        low, high = np.array(lower, dtype=float), np.array(upper, dtype=float)
        low[i], high[i] = other, bound
        if low[i] > high[i]:
            continue
        constraints = [LinearConstraint(a, b, b)] if len(b) else []
        result = milp(
            np.zeros(n), constraints=constraints, integrality=integrality, bounds=Bounds(low, high)
        )
        if result.status == 0:
            return True
    return False


def truth_of(figures):
    return {
        (table.key, row, column): table.value(row, column)
        for table in figures.tables
        for row, _ in table.rows
        for column, _, _ in table.columns
    }


def suppressed_and_attacked(figures, threshold=THRESHOLD):
    """Suppress, then check everything the published variant promises; returns the truth."""
    truth = truth_of(figures)
    suppress(figures, threshold)
    attacked(figures, truth, threshold)
    return truth


def attacked(figures, truth, threshold=THRESHOLD):
    """What the published variant promises, checked against the truth behind it."""
    assert recovered(figures, truth) == []
    assert audit(figures) == []
    for table in figures.tables:
        for (row, column), value in table.cells.items():
            if table.kind(column) == COUNT and (row, column) not in table.suppressed:
                # None: not applicable (not published), as the meetings of each row
                assert value is None or not 1 <= value < threshold, (table.key, row, column)
        for row, column in table.suppressed:
            assert table.value(row, column) is None
            assert truth[(table.key, row, column)] != 0, "a zero is never hidden"
        for (row, column), sources in table.made_of.items():
            sources = [sources] if isinstance(sources[0], str) else sources
            for source in sources:
                if source[0] not in [t.key for t in figures.tables]:
                    continue
                source_table = figures.table(source[0])
                if (source[1], source[2]) in source_table.suppressed:
                    assert (row, column) in table.suppressed
                    assert table.value(row, column) is None


def hidden(figures, key="people"):
    return figures.table(key).suppressed


# --- The adversary can find things -------------------------------------------------------


def test_the_adversary_recovers_a_cell_hidden_alone_in_its_row():
    figures = one_table([[2, 10, 20], [30, 40, 50]])
    truth = truth_of(figures)
    figures.tables[0].suppressed.add(("r0", "c0"))
    figures.tables[0].cells[("r0", "c0")] = None
    assert recovered(figures, truth) == [("people", "r0", "c0")]
    assert audit(figures) == [("people", "r0", "c0")]


def test_the_audit_and_the_adversary_see_two_ones_that_sum_to_two():
    """Two hidden counts of at least 1 that sum to 2 are both 1 (no equation alone says so),
    and their columns then give the other two away."""
    figures = one_table([[1, 1, 20], [30, 40, 50]])
    truth = truth_of(figures)
    table = figures.tables[0]
    cells = {("r0", "c0"), ("r0", "c1"), ("r1", "c0"), ("r1", "c1")}
    for cell in cells:
        table.suppressed.add(cell)
        table.cells[cell] = None
    leaks = sorted(("people", *cell) for cell in cells)
    assert sorted(recovered(figures, truth)) == leaks
    assert sorted(audit(figures)) == leaks


# --- Suppression -----------------------------------------------------------------------


def test_one_small_cell_is_hidden_with_the_smallest_rectangle_of_inner_cells():
    figures = one_table([[2, 9, 30], [7, 40, 50], [60, 70, 80]])
    suppressed_and_attacked(figures)
    assert hidden(figures) == {("r0", "c0"), ("r0", "c1"), ("r1", "c0"), ("r1", "c1")}


def test_a_partner_finds_no_cell_between_1_and_4():
    figures = one_table([[3, 0, 12, 1], [8, 4, 0, 25], [0, 16, 2, 9], [40, 7, 11, 6]])
    suppressed_and_attacked(figures)
    published_counts = [
        value for cell, value in figures.tables[0].cells.items() if cell not in hidden(figures)
    ]
    assert not [value for value in published_counts if 1 <= value <= 4]


def test_two_small_cells_whose_sum_is_small_take_a_third_in_their_row():
    figures = one_table([[1, 1, 20], [30, 40, 50], [60, 70, 80]])
    suppressed_and_attacked(figures)
    row = [cell for cell in hidden(figures) if cell[0] == "r0"]
    assert len(row) >= 3


def test_a_small_total_is_hidden_and_totals_stay_where_safe():
    figures = one_table([[2, 0, 1], [30, 40, 50], [60, 70, 80]])
    truth = suppressed_and_attacked(figures)
    assert ("r0", "total") in hidden(figures)
    assert figures.tables[0].value("total", "total") == truth[("people", "total", "total")]


def test_zeros_are_published_and_never_complements():
    figures = one_table([[3, 0, 0], [0, 0, 9], [0, 12, 0]])
    suppressed_and_attacked(figures)
    table = figures.tables[0]
    zeros = [
        cell
        for cell, value in truth_of(one_table([[3, 0, 0], [0, 0, 9], [0, 12, 0]])).items()
        if value == 0
    ]
    assert zeros
    for _key, row, column in zeros:
        assert (row, column) not in table.suppressed
        assert table.value(row, column) == 0


def test_a_lone_small_cell_with_only_zeros_beside_it_hides_its_totals():
    figures = one_table([[3, 0], [0, 10]])
    suppressed_and_attacked(figures)
    assert {("r0", "c0"), ("r0", "total"), ("total", "c0")} <= hidden(figures)


def test_all_cells_small():
    figures = one_table([[1, 2, 3], [4, 1, 2], [3, 4, 1]])
    suppressed_and_attacked(figures)
    inner = {(f"r{i}", f"c{j}") for i in range(3) for j in range(3)}
    assert inner <= hidden(figures)


def test_a_single_row_and_a_single_column():
    suppressed_and_attacked(one_table([[3, 8, 0, 12]]))
    suppressed_and_attacked(one_table([[3], [8], [0], [12]]))


def test_a_breakdown_per_centre_and_quarter_shares_the_centre_totals():
    tables, sums = centres_and_quarters([[2, 10, 12, 9], [20, 21, 22, 23], [7, 8, 9, 30]])
    figures = figures_of(tables, sums)
    suppressed_and_attacked(figures)
    by_quarter = figures.table("visits_by_quarter")
    assert ("centre0", "q1") in by_quarter.suppressed
    # the centres' totals are all published: hiding inner quarters is enough
    assert figures.table("visits_by_centre").suppressed == set()


def test_a_small_centre_is_hidden_in_both_tables_with_its_share():
    tables, sums = centres_and_quarters([[1, 0, 2, 0], [20, 21, 22, 23], [7, 8, 9, 30]])
    figures = figures_of(tables, sums)
    suppressed_and_attacked(figures)
    by_centre = figures.table("visits_by_centre")
    assert {("centre0", "visits"), ("centre0", "share")} <= by_centre.suppressed
    assert ("centre0", "total") in figures.table("visits_by_quarter").suppressed
    assert by_centre.value("centre0", "share") is None


def test_a_fraction_made_of_a_complement_is_hidden_with_it():
    tables, sums = centres_and_quarters([[1, 0, 2, 0], [20, 21, 22, 23], [7, 8, 9, 30]])
    figures = figures_of(tables, sums)
    suppress(figures, THRESHOLD)
    by_centre = figures.table("visits_by_centre")
    complements = {
        row for row, column in by_centre.suppressed if column == "visits" and row != "centre0"
    }
    assert complements, "centre0's visits need a complement among the centres or the total"
    for row in complements:
        assert (row, "share") in by_centre.suppressed


def test_a_number_follows_the_count_it_is_made_of():
    table, sums = table_with_totals("spells", [[3, 40], [50, 60]])
    table.columns.append(("median", "Median days", NUMBER))
    for row, _ in table.rows:
        table.cells[(row, "median")] = 41.5
        table.made_of[(row, "median")] = ("spells", row, "c0")
    figures = figures_of([table], sums)
    suppressed_and_attacked(figures)
    assert ("r0", "median") in table.suppressed
    assert table.value("r1", "median") is not None or ("r1", "c0") in table.suppressed


def test_the_threshold_comes_from_the_settings(settings):
    settings.MOVE_FIGURES_SUPPRESSION_THRESHOLD = 3
    three = suppress(one_table([[3, 40], [50, 60]]))
    assert three.threshold == 3
    assert hidden(three) == set()
    two = suppress(one_table([[2, 40], [50, 60]]))
    assert ("r0", "c0") in hidden(two)


def test_suppressing_twice_changes_nothing_more():
    figures = one_table([[3, 0, 12, 1], [8, 4, 0, 25], [0, 16, 2, 9]])
    suppress(figures, THRESHOLD)
    once = copy.deepcopy(figures)
    suppress(figures, THRESHOLD)
    assert figures == once
    assert audit(figures) == []


def test_a_declared_sum_that_does_not_hold_is_refused():
    table, sums = table_with_totals("people", [[3, 40], [50, 60]])
    table.cells[("r0", "total")] = 44  # distinct people: not a sum of the columns
    with pytest.raises(ValueError, match="does not hold"):
        suppress(figures_of([table], sums), THRESHOLD)


def test_a_sum_naming_an_unknown_cell_is_refused():
    table, sums = table_with_totals("people", [[3, 40], [50, 60]])
    sums.append((("people", "r0", "total"), [("elsewhere", "r0", "c0")]))
    with pytest.raises(ValueError, match="no table has"):
        suppress(figures_of([table], sums), THRESHOLD)


# --- Random tables ----------------------------------------------------------------------


def random_count(rng):
    draw = rng.random()
    if draw < 0.25:
        return 0
    if draw < 0.6:
        return rng.randint(1, THRESHOLD - 1)
    return rng.randint(THRESHOLD, 60)


def random_figures(rng):
    shape = (rng.randint(1, 4), rng.randint(1, 4))
    if rng.random() < 0.4:
        inner = [[random_count(rng) for _ in QUARTERS] for _ in range(shape[0])]
        return figures_of(*centres_and_quarters(inner))
    inner = [[random_count(rng) for _ in range(shape[1])] for _ in range(shape[0])]
    return one_table(inner)


def test_two_hundred_random_tables_resist_the_adversary():
    rng = random.Random(13)
    for _number in range(200):
        figures = random_figures(rng)
        suppressed_and_attacked(figures)


def test_the_linear_programme_finds_pinned_bounds():
    """x0 + x1 = 2 with x >= 1 pins both; x0 + x1 = 3 pins neither."""
    one = suppression.Fraction(1)
    rows = [({0: one, 1: one}, suppression.Fraction(2))]
    assert suppression._pinned(rows, [one, one]) == {0, 1}
    rows = [({0: one, 1: one}, suppression.Fraction(3))]
    assert suppression._pinned(rows, [one, one]) == set()
    rows = [({0: one, 1: one}, suppression.Fraction(1))]
    assert suppression._pinned(rows, [one, one]) is None


# --- The figures of a year ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the tests that ask for it, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", [None, 3])
def test_the_demos_published_figures_resist_the_adversary(demo, quarter):
    full = yearly.figures(2022, quarter, variant=FIGURES_FULL, language="en")
    published = yearly.figures(2022, quarter, variant=FIGURES_PUBLISHED, language="en")
    # Each organisation's contribution is the full variant's only.
    assert [t.key for t in published.tables] == [
        t.key for t in full.tables if t.key != "contributions"
    ]
    # Every sum of the full figures but the contributions' and the meetings per row (not
    # published), and more: a total of distinct people that happens to equal the sum of
    # its rows this year is declared too, since a reader can subtract.
    unpublished = ("contributions", ("meetings_per_person", "total", "meetings"))
    assert all(
        relation in published.sums
        for relation in full.sums
        if not {relation[0], relation[0][0], *(part[0] for part in relation[1])} & {*unpublished}
    )
    truth = truth_of(full)
    for table in full.tables:
        if not table.total_row or table.key == "contributions":
            continue
        rows = [row for row, _label in table.rows if row != table.total_row]
        for column, _label, kind in table.columns:
            parts = [(table.key, row, column) for row in rows]
            total = (table.key, table.total_row, column)
            if total == ("meetings_per_person", "total", "meetings"):
                continue  # its rows are not published
            if kind == COUNT and rows and truth[total] == sum(truth[p] or 0 for p in parts):
                assert any(
                    declared == total and set(declared_parts) == set(parts)
                    for declared, declared_parts in published.sums
                ), total
    truth = {cell: value for cell, value in truth.items() if cell[0] != "contributions"}
    for row, _label in full.table("meetings_per_person").rows:
        if row != "total":
            truth["meetings_per_person", row, "meetings"] = None
    small = [
        cell
        for cell, value in truth.items()
        if kind_of(full, cell) == COUNT and value is not None and 1 <= value < THRESHOLD
    ]
    assert small, "the demo has small cells to hide"
    attacked(published, truth, published.threshold)


def test_a_ratio_whose_denominator_is_hidden_is_hidden_with_it():
    """share = visits / all visits: when the total is a complement, a published share
    times a published centre's visits would give it back; the share follows both."""
    tables, sums = centres_and_quarters([[1, 0, 2, 0], [20, 21, 22, 23], [7, 8, 9, 30]])
    figures = figures_of(tables, sums)
    by_centre = figures.table("visits_by_centre")
    by_centre.cells[("total", "visits")] = None
    by_centre.suppressed.add(("total", "visits"))
    suppress(figures, THRESHOLD)
    for row, _label in by_centre.rows:
        assert by_centre.value(row, "share") is None


def test_the_adversary_uses_a_published_ratio_and_its_denominator():
    """A ratio left published beside its published denominator pins its numerator."""
    tables, sums = centres_and_quarters([[20, 21, 22, 23], [7, 8, 9, 30]])
    figures = figures_of(tables, sums)
    truth = truth_of(figures)
    by_centre = figures.table("visits_by_centre")
    by_centre.cells[("centre0", "visits")] = None
    by_centre.suppressed.add(("centre0", "visits"))
    # No sum names it (the quarters' table is dropped): only the ratio gives it away.
    figures.tables = [by_centre]
    figures.sums = []
    assert recovered(figures, truth) == [("visits_by_centre", "centre0", "visits")]
