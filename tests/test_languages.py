"""Bad input and refusals answer in the person's language; e-mails go out in the
recipient's. Expected texts come from the catalogues, and must differ from English."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from move.accounts.models import Invitation
from move.accounts.permissions import Role
from move.centres.models import CentreYear
from tests.conftest import sign_in
from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db


def in_language(language, text):
    with translation.override(language):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} has no {language} translation"
    return translated


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_figure_without_its_source_is_refused_in_the_persons_language(
    client, coordinator, language
):
    centre = CentreFactory()
    sign_in(client, coordinator)
    speak(client, language)

    response = client.post(
        reverse("centres:centreyear-create", args=[centre.code]),
        {"year": 2022, "people_detained": 640, "people_detained_source": ""},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert (
        escape(in_language(language, "Give the source of the number of people detained.")) in html
    )
    assert not CentreYear.objects.exists()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_refused_action_says_why_in_the_persons_language(client, visitor_a, language):
    centre = CentreFactory()
    sign_in(client, visitor_a)
    speak(client, language)

    response = client.get(reverse("centres:centre-update", args=[centre.code]))

    assert response.status_code == 403
    assert escape(in_language(language, "Only coordinators can edit centres.")) in (
        response.content.decode()
    )


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_second_invitation_is_refused_in_the_persons_language(
    client, coordinator, org_a, language, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)
    speak(client, language)
    data = {
        "email": "new.visitor@example.org",
        "organisation": org_a.pk,
        "role": Role.VISITOR,
        "language": "fr",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invitation-create"), data)

    again = client.post(reverse("accounts:invitation-create"), data)

    assert again.status_code == 400
    with translation.override(language):
        expected = translation.gettext(
            "An invitation to %(email)s is already waiting. Withdraw it before sending another."
        ) % {"email": data["email"]}
    assert escape(expected) in again.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_invitation_e_mail_is_written_in_the_invitations_language(
    client, coordinator, org_a, language, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)  # the coordinator's own pages stay in English
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:invitation-create"),
            {
                "email": "new.visitor@example.org",
                "organisation": org_a.pk,
                "role": Role.VISITOR,
                "language": language,
            },
        )

    [message] = mail.outbox
    with translation.override(language):
        subject = translation.gettext("Your invitation to Move (%(organisation)s)") % {
            "organisation": org_a.name
        }
        role = str(Role.VISITOR.label)
    assert message.subject == subject
    assert role in message.body
    assert in_language(language, "Open this link to choose your password:") in message.body


def test_the_language_chosen_in_the_header_is_kept_on_the_account(client, visitor_a):
    sign_in(client, visitor_a)

    response = client.post(reverse("set_language"), {"language": "nl", "next": "/"})

    assert response.status_code == 302
    visitor_a.refresh_from_db()
    assert visitor_a.language == "nl"
    assert client.get("/").content.decode().count('<html lang="nl">') == 1


def test_an_unknown_language_changes_nothing(client, visitor_a):
    visitor_a.language = "fr"
    visitor_a.save()
    sign_in(client, visitor_a)

    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    visitor_a.refresh_from_db()
    assert visitor_a.language == "fr"
