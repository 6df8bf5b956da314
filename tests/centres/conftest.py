import pytest

from tests.factories import CentreFactory, CentreYearFactory

INVALID = "INVALID_TEMPLATE_VARIABLE"


def page(response, status=200) -> str:
    """The HTML of a rendered page, checked: expected status, no misspelt variable."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    assert INVALID not in html
    return html


def with_years(centre, *years):
    for year in years:
        CentreYearFactory(
            centre=centre,
            year=year,
            people_detained=600 + year % 100,
            people_detained_source=f"Immigration Office, annual report {year}",
            capacity=90 + year % 10,
            capacity_source=f"AIDA {year}",
        )
    return centre


@pytest.fixture
def centre(db):
    """Vottem, with its figures for 2022 and 2023."""
    return with_years(
        CentreFactory(
            code="vottem",
            name_fr="Centre fermé de Vottem",
            name_nl="Gesloten centrum Vottem",
            town="Vottem",
        ),
        2022,
        2023,
    )


@pytest.fixture
def figures(centre):
    """Vottem's figures for 2022."""
    return centre.years.get(year=2022)


@pytest.fixture
def more_centres(db):
    """`more_centres(n)` adds n centres, each with figures for two years."""

    def make(count):
        return [with_years(CentreFactory(), 2022, 2023) for _ in range(count)]

    return make
