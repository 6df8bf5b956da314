"""A server error reaches the admins by e-mail, without what people typed."""

import logging

import pytest
from django.core import mail
from django.test import RequestFactory


def failing(secret: str):
    raise ValueError(f"could not read {secret}")


@pytest.fixture
def error(settings):
    settings.ADMINS = [("", "it@move.example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    request = RequestFactory().post("/visits/reports/R-1/?q=Oksana+Petrenko", {"text": "Petrenko"})
    try:
        failing("Oksana Petrenko, born 06/09/2000")
    except ValueError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=True,
            extra={"status_code": 500, "request": request},
        )


def test_a_server_error_is_mailed_to_the_admins_with_the_page_and_the_code(error):
    (message,) = mail.outbox
    assert message.to == ["it@move.example.org"]
    assert "POST /visits/reports/R-1/" in message.subject
    assert "builtins.ValueError" in message.body
    assert "test_error_mail.py" in message.body and "in failing" in message.body


def test_the_mail_holds_no_query_string_form_or_exception_message(error):
    (message,) = mail.outbox
    text = message.subject + message.body
    assert "Oksana" not in text and "Petrenko" not in text and "06/09/2000" not in text
    assert "?" not in text


def test_nobody_is_mailed_without_admins(settings):
    settings.ADMINS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("django.request").error("Internal Server Error: /", exc_info=False)
    assert mail.outbox == []


def test_a_503_chosen_by_the_code_is_not_mailed(client, settings):
    """/healthz answers 503 while a part is down (here: no worker has been heard from);
    the compose file polls it every 30 s: one mail per poll would bury the real errors."""
    settings.ADMINS = [("", "it@move.example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.get("/healthz", secure=True)
    assert response.status_code == 503
    assert mail.outbox == []
    logging.getLogger("django.request").error(
        "Internal Server Error: /", exc_info=False, extra={"status_code": 500}
    )
    assert len(mail.outbox) == 1  # a 500 still is
