"""The key figures shown beside the tables follow their suppression: a key figure that
holds the same count as a suppressed cell would give it back (figures/views.py KEY_CELLS)."""

import pytest

from figures import views, yearly
from figures.tables import Figures, Table
from move.accounts.permissions import FIGURES_FULL, FIGURES_PUBLISHED

pytestmark = pytest.mark.django_db


def test_every_cell_a_key_figure_names_is_a_cell_of_the_figures():
    figures = yearly.figures(2022, variant=FIGURES_FULL, language="en")
    tables = {table.key: table for table in figures.tables}
    assert set(views.KEY_CELLS) <= {key for key, _label, _kind in views.KEY_FIGURES}
    for key, cells in views.KEY_CELLS.items():
        for table_key, row, column in cells:
            table = tables[table_key]
            assert row in dict(table.rows), (key, table_key, row)
            assert column in {c for c, _label, _kind in table.columns}, (key, table_key, column)


def published(suppressed: set, value: int) -> Figures:
    table = Table(
        key="people_by_centre",
        title="People",
        section="people",
        row_header="Centre",
        rows=[("a", "A"), ("total", "Total")],
        columns=[("people", "People", "count")],
        cells={("a", "people"): value, ("total", "people"): value},
        total_row="total",
        suppressed=suppressed,
    )
    key = {"people_accompanied_adult_centres": value, "reach_ratio": 0.2}
    return Figures(2022, None, FIGURES_PUBLISHED, "en", key=key, tables=[table])


def test_a_large_key_figure_is_hidden_when_its_cell_was_suppressed_to_protect_another():
    kept = published(set(), 15)
    assert views.hidden_keys(kept) == set()
    protected = published({("total", "people")}, 15)
    assert views.hidden_keys(protected) == {"people_accompanied_adult_centres", "reach_ratio"}
    assert views.key_text(protected, "people_accompanied_adult_centres", "count") == (
        views.SUPPRESSED
    )


def test_the_full_variant_hides_no_key_figure():
    full = published({("total", "people")}, 15)
    full.variant = FIGURES_FULL
    assert views.hidden_keys(full) == set()
