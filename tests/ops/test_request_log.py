"""One JSON line per request: method, path, status, duration, account number; never the
query string (search words) nor an e-mail address."""

import json
import logging
import sys

import pytest
from django.urls import reverse

from move.logging import REQUEST_LOGGER, JsonFormatter
from tests.conftest import sign_in


def request_lines(caplog):
    return [record for record in caplog.records if record.name == REQUEST_LOGGER]


@pytest.mark.django_db
def test_a_search_is_logged_without_its_words_nor_the_email(client, coordinator, caplog):
    sign_in(client, coordinator)
    url = reverse("privacy:accesslog-list")
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        response = client.get(url, {"person": "Mohammed Secretname", "user": "someone@example.org"})
    assert response.status_code == 200
    (record,) = request_lines(caplog)
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["method"] == "GET"
    assert data["path"] == url
    assert data["status"] == 200
    assert data["user_id"] == coordinator.pk
    assert isinstance(data["duration_ms"], float) and data["duration_ms"] >= 0
    assert data["logger"] == REQUEST_LOGGER and data["level"] == "INFO"
    for secret in ("Secretname", "Mohammed", "someone", "?", "person=", coordinator.email):
        assert secret not in line


@pytest.mark.django_db
def test_an_anonymous_request_is_logged_without_a_user(client, caplog):
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        client.get(reverse("home") + "?q=words")
    (record,) = request_lines(caplog)
    data = json.loads(JsonFormatter().format(record))
    assert data["status"] == 302
    assert data["user_id"] is None
    assert "words" not in json.dumps(data)


@pytest.mark.django_db
def test_logging_an_anonymous_request_costs_no_query(client, caplog, django_assert_num_queries):
    client.get(reverse("healthz"))  # the migration plan, once a minute
    caplog.clear()
    # /healthz's own SELECT 1, no session nor user.
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER), django_assert_num_queries(1):
        client.get(reverse("healthz"))
    assert len(request_lines(caplog)) == 1


def test_the_formatter_writes_one_json_line_with_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "failed here"
    assert "ValueError: boom" in data["exception"]


def test_production_writes_json_lines_on_stdout():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["formatters"]["json"]["()"] == "move.logging.JsonFormatter"
    assert settings.LOGGING["loggers"][REQUEST_LOGGER]["level"] == "INFO"
