"""Withdrawal (issue 12): one action; the witness and every consent withdrawn today,
every use online listed to take down and its recorder (or, when they left, the pool's
keepers) told once by e-mail (in their language, no personal data); idempotent."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advocacy import witnesses
from advocacy.models import Consent, Testimony, Use
from move.accounts.permissions import Role
from tests.advocacy.test_witnesses import OTHERS, make_consent, make_witness
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(witness_pool, advocacy, coalition):
    """A witness with two consents (one withdrawn long ago), a testimony and uses:
    two online (recorded by advocacy, and by someone who left), one taken down."""
    witness = make_witness(keeper=witness_pool)
    old = make_consent(witness, date(2024, 1, 1), withdrawn_on=date(2024, 6, 1))
    current = make_consent(witness, timezone.localdate() - timedelta(days=30))
    testimony = Testimony.objects.create(
        witness=witness,
        title="Four months in 127bis",
        text="What I lived.",
        language="fr",
        recorded_on=date(2026, 1, 10),
        scopes="website",
    )
    left = member(Role.ADVOCACY, coalition, email="left@example.org", is_active=False)

    def use(name, by, status=Use.Status.ONLINE):
        return Use.objects.create(
            testimony=testimony,
            publication=name,
            used_on=date(2026, 2, 1),
            scope="website",
            anonymity="first_name",
            recorded_by=by,
            status=status,
        )

    return {
        "witness": witness,
        "old": old,
        "current": current,
        "online": use("Website", advocacy),
        "orphan": use("Booklet", left),
        "down": use("Video", advocacy, Use.Status.TAKEN_DOWN),
    }


def withdraw_url(witness):
    return reverse("advocacy:witness-withdraw", kwargs={"key": witness.key})


def test_withdrawal_takes_everything_down(
    persona_client, pool, advocacy, witness_pool, django_capture_on_commit_callbacks
):
    pool_keeper = witness_pool
    advocacy.language = "nl"
    advocacy.save()
    witness = pool["witness"]
    client = persona_client("witness_pool")
    with (
        mock.patch.object(witnesses.emails, "send", wraps=witnesses.emails.send) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(withdraw_url(witness))
    languages = {call.args[1]: call.args[2] for call in send.call_args_list}
    assert languages[advocacy.email] == "nl"  # in the recipient's language
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:witness-detail", kwargs={"key": witness.key})
    today = timezone.localdate()
    witness.refresh_from_db()
    assert witness.withdrawn_on == today
    pool["old"].refresh_from_db()
    pool["current"].refresh_from_db()
    assert pool["old"].withdrawn_on == date(2024, 6, 1)  # kept as it was
    assert pool["current"].withdrawn_on == today
    assert not pool["current"].valid_on(today)
    statuses = {
        key: Use.objects.get(pk=pool[key].pk).status for key in ("online", "orphan", "down")
    }
    assert statuses == {
        "online": Use.Status.TO_TAKE_DOWN,
        "orphan": Use.Status.TO_TAKE_DOWN,
        "down": Use.Status.TAKEN_DOWN,
    }
    # The active recorder is told, once, in their language; for the use of who left,
    # the pool's keepers are.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([advocacy.email, pool_keeper.email])
    message = next(m for m in mail.outbox if m.to == [advocacy.email])
    assert reverse("advocacy:use-list") in message.body
    assert witness.code in message.body
    assert witness.name not in message.body and witness.contact not in message.body
    assert "Four months" not in message.body  # not even the testimony's title


def test_withdrawing_twice_changes_nothing_more(
    persona_client, pool, django_capture_on_commit_callbacks
):
    client = persona_client("coordinator")
    witness = pool["witness"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(withdraw_url(witness))
    witness.refresh_from_db()
    first = witness.withdrawn_on
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(withdraw_url(witness), follow=True)
    assert callbacks == []
    assert "already withdrawn" in response.content.decode()
    witness.refresh_from_db()
    assert witness.withdrawn_on == first
    assert len(mail.outbox) == 2  # the recorder, and the pool for who left: once each


def test_the_take_down_e_mail_is_sent_once(pool):
    use = pool["online"]
    Use.objects.filter(pk=use.pk).update(status=Use.Status.TO_TAKE_DOWN)
    witnesses.tell_take_down(use.pk)
    witnesses.tell_take_down(use.pk)
    assert len(mail.outbox) == 1


def test_no_e_mail_for_a_use_no_longer_to_take_down(pool):
    witnesses.tell_take_down(pool["online"].pk)  # still online
    witnesses.tell_take_down(pool["down"].pk)
    witnesses.tell_take_down(999999)
    assert mail.outbox == []


def test_the_task_is_queued_on_commit(persona_client, pool, django_capture_on_commit_callbacks):
    with mock.patch("advocacy.tasks.tell_take_down.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False):
            persona_client("witness_pool").post(withdraw_url(pool["witness"]))
        delay.assert_not_called()  # not before the commit
    with mock.patch("advocacy.tasks.tell_take_down.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            witnesses.withdraw(pool["witness"], by=None, on=timezone.localdate())
        delay.assert_not_called()  # nothing left online
    Use.objects.filter(pk=pool["online"].pk).update(status=Use.Status.ONLINE)
    with mock.patch("advocacy.tasks.tell_take_down.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            witnesses.withdraw(pool["witness"], by=None, on=timezone.localdate())
        delay.assert_called_once_with(pool["online"].pk)


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_else_withdraws_a_witness(persona, persona_client, pool):
    response = persona_client(persona).post(withdraw_url(pool["witness"]))
    assert response.status_code == 404
    assert Consent.objects.filter(withdrawn_on__isnull=True).count() == 1
    assert Use.objects.filter(status=Use.Status.ONLINE).count() == 2


def test_a_get_does_not_withdraw(persona_client, pool):
    assert persona_client("witness_pool").get(withdraw_url(pool["witness"])).status_code == 405
    pool["witness"].refresh_from_db()
    assert pool["witness"].withdrawn_on is None


def test_the_detail_shows_the_uses_to_take_down(persona_client, pool):
    client = persona_client("witness_pool")
    client.post(withdraw_url(pool["witness"]))
    page = client.get(reverse("advocacy:witness-detail", kwargs={"key": pool["witness"].key}))
    text = page.content.decode()
    assert "To take down" in text and "Withdrew on" in text
    assert reverse("advocacy:consent-add", kwargs={"key": pool["witness"].key}) not in text


def test_a_use_whose_recorder_left_is_told_to_the_pools_keepers(pool, witness_pool, advocacy):
    orphan = pool["orphan"]  # recorded by someone switched off since
    Use.objects.filter(pk=orphan.pk).update(status=Use.Status.TO_TAKE_DOWN)
    witnesses.tell_take_down(orphan.pk)
    assert [message.to for message in mail.outbox] == [[witness_pool.email]]
    assert "?status=to_take_down" in mail.outbox[0].body
    assert pool["witness"].name not in mail.outbox[0].body
    witnesses.tell_take_down(orphan.pk)  # once
    assert len(mail.outbox) == 1


def test_a_use_with_no_recorder_at_all_is_told_to_the_pools_keepers(pool, witness_pool):
    use = pool["online"]
    Use.objects.filter(pk=use.pk).update(status=Use.Status.TO_TAKE_DOWN, recorded_by=None)
    witnesses.tell_take_down(use.pk)
    assert [message.to for message in mail.outbox] == [[witness_pool.email]]
