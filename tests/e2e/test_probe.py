import pytest
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_probe(live_server, page, coordinator_user):
    page.goto("/accounts/login/")
    print(page.content())
    page.screenshot(path="/tmp/e2e-shots/login.png", full_page=True)
