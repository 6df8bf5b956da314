"""The contract `advocacy.services.record_use`: a use is recorded only when a consent of
the witness allowed it that day, else ValidationError with the rule that failed, and
nothing saved (issue 12). Every rule on its boundaries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from advocacy.models import Consent, Testimony, Use, Witness
from advocacy.services import record_use

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NAME = "Amina Secretname"
CONTACT = "+32 470 12 34 56"


def today():
    return timezone.localdate()


# Helpers shared by the advocacy testimony tests ----------------------------------------


def make_witness(**fields):
    fields = {"relation": "former_detainee", "name": NAME, "contact": CONTACT} | fields
    return Witness.objects.create(**fields)


def make_consent(witness, *, given_on=None, expires_on=None, **fields):
    given_on = given_on or today() - 100 * DAY
    fields = {
        "scopes": "website press",
        "anonymity": "first_name",
        "how": "oral",
        "statement": "Agreed by phone.",
    } | fields
    return Consent.objects.create(
        witness=witness,
        given_on=given_on,
        expires_on=expires_on or given_on + 730 * DAY,
        **fields,
    )


def make_testimony(witness, **fields):
    fields = {
        "title": "Six months in Merksplas",
        "text": "What I lived in the centre.",
        "language": "fr",
        "recorded_on": today() - 90 * DAY,
        "approved_on": today() - 80 * DAY,
        "scopes": "website press",
    } | fields
    return Testimony.objects.create(witness=witness, **fields)


def usable_testimony(**testimony_fields):
    """A witness with a consent valid today (website and press, first name) and an
    approved testimony usable in both."""
    witness = make_witness()
    make_consent(witness)
    return make_testimony(witness, **testimony_fields)


# The rules -------------------------------------------------------------------------------


def refused(testimony, **kwargs):
    kwargs = {"scope": "website", "used_on": today() - 10 * DAY, "by": None} | kwargs
    with pytest.raises(ValidationError) as raised:
        record_use(testimony, **kwargs)
    assert not Use.objects.exists(), "a refused use is never saved"
    return " ".join(raised.value.messages)


def test_a_use_within_the_consent_is_recorded_at_the_consents_anonymity(advocacy):
    testimony = usable_testimony()
    use = record_use(
        testimony,
        scope="website",
        used_on=today() - 10 * DAY,
        by=advocacy,
        publication="Coalition website",
        link="https://example.org/story",
    )
    use.refresh_from_db()
    assert use.testimony == testimony
    assert (use.scope, use.anonymity, use.status) == ("website", "first_name", "online")
    assert (use.publication, use.link, use.recorded_by) == (
        "Coalition website",
        "https://example.org/story",
        advocacy,
    )


def test_a_use_on_the_day_the_consent_was_given_is_allowed():
    witness = make_witness()
    consent = make_consent(witness, given_on=today() - 50 * DAY)
    testimony = make_testimony(witness, recorded_on=consent.given_on, approved_on=consent.given_on)
    assert record_use(testimony, scope="press", used_on=consent.given_on, by=None)


def test_a_use_the_day_before_the_consent_was_given_is_refused():
    witness = make_witness()
    consent = make_consent(witness, given_on=today() - 50 * DAY)
    testimony = make_testimony(
        witness, recorded_on=today() - 60 * DAY, approved_on=today() - 60 * DAY
    )
    reason = refused(testimony, used_on=consent.given_on - DAY)
    assert "No consent had been given on" in reason


def test_a_use_on_the_day_the_consent_expires_is_refused_the_day_before_allowed():
    witness = make_witness()
    consent = make_consent(
        witness, given_on=today() - 800 * DAY, expires_on=datetime.date(2026, 1, 5)
    )
    testimony = make_testimony(
        witness, recorded_on=today() - 790 * DAY, approved_on=today() - 790 * DAY
    )
    reason = refused(testimony, used_on=consent.expires_on)
    assert reason == "The consent expired on 5 January 2026."
    assert record_use(testimony, scope="website", used_on=consent.expires_on - DAY, by=None)


def test_a_use_on_the_day_the_consent_is_withdrawn_is_refused_the_day_before_allowed():
    witness = make_witness()
    withdrawn = today() - 5 * DAY
    make_consent(witness, withdrawn_on=withdrawn)
    testimony = make_testimony(witness)
    reason = refused(testimony, used_on=withdrawn)
    assert reason == f"The witness withdrew on {withdrawn.day} {withdrawn:%B %Y}."
    assert record_use(testimony, scope="website", used_on=withdrawn - DAY, by=None)


def test_a_witness_who_withdrew_refuses_every_use_from_that_day():
    witness = make_witness()
    make_consent(witness)
    testimony = make_testimony(witness)
    witness.withdrawn_on = today() - 3 * DAY
    witness.save()
    assert "The witness withdrew on" in refused(testimony, used_on=today() - 3 * DAY)
    assert "The witness withdrew on" in refused(testimony, used_on=today())


def test_a_use_backdated_before_the_withdrawal_is_refused_once_the_witness_withdrew():
    witness = make_witness()
    make_consent(witness)
    testimony = make_testimony(witness)
    witness.withdrawn_on = today() - 3 * DAY
    witness.save()
    reason = refused(testimony, used_on=today() - 4 * DAY)
    day = witness.withdrawn_on
    assert reason == f"The witness withdrew on {day.day} {day:%B %Y}."


def test_a_scope_outside_the_consent_is_refused_with_its_name():
    witness = make_witness()
    make_consent(witness, scopes="website")
    testimony = make_testimony(witness, scopes="website press")
    assert refused(testimony, scope="press") == "The consent does not cover the press."
    assert refused(testimony, scope="video") == "This testimony may not be used in: Video."


def test_a_scope_outside_the_testimony_is_refused_even_if_the_consent_covers_it():
    testimony = usable_testimony(scopes="website")
    assert refused(testimony, scope="press") == "This testimony may not be used in: Press."


def test_an_unknown_scope_is_refused():
    assert refused(usable_testimony(), scope="billboard") == "Unknown scope."


def test_a_testimony_not_approved_by_the_witness_is_refused():
    testimony = usable_testimony(approved_on=None)
    assert refused(testimony) == "The witness has not approved this testimony."


def test_a_use_before_the_approval_is_refused_on_the_day_of_approval_allowed():
    approved = today() - 20 * DAY
    testimony = usable_testimony(approved_on=approved)
    assert "approved this testimony on" in refused(testimony, used_on=approved - DAY)
    assert record_use(testimony, scope="website", used_on=approved, by=None)


def test_a_use_dated_in_the_future_is_refused_today_allowed():
    testimony = usable_testimony()
    assert refused(testimony, used_on=today() + DAY) == "A use cannot be dated in the future."
    assert record_use(testimony, scope="website", used_on=today(), by=None)


@pytest.mark.parametrize(
    ("consented", "used", "reason"),
    [
        ("first_name", "named", "Named use: the consent allows first name only."),
        ("anonymous", "named", "Named use: the consent allows anonymous use only."),
        ("anonymous", "first_name", "Use by first name: the consent allows anonymous use only."),
    ],
)
def test_a_use_less_protective_than_the_consent_is_refused(consented, used, reason):
    witness = make_witness()
    make_consent(witness, anonymity=consented)
    testimony = make_testimony(witness)
    assert refused(testimony, anonymity=used) == reason


@pytest.mark.parametrize(
    ("consented", "used"),
    [
        ("named", "named"),
        ("named", "first_name"),
        ("named", "anonymous"),
        ("first_name", "first_name"),
        ("first_name", "anonymous"),
        ("anonymous", "anonymous"),
    ],
)
def test_a_use_as_protective_as_the_consent_or_more_is_allowed(consented, used):
    witness = make_witness()
    make_consent(witness, anonymity=consented)
    testimony = make_testimony(witness)
    use = record_use(testimony, scope="website", used_on=today(), by=None, anonymity=used)
    assert use.anonymity == used


def test_the_most_generous_valid_consent_counts():
    witness = make_witness()
    make_consent(witness, anonymity="anonymous", scopes="website press")
    make_consent(witness, anonymity="named", scopes="website", given_on=today() - 30 * DAY)
    testimony = make_testimony(witness)
    assert record_use(testimony, scope="website", used_on=today(), by=None).anonymity == "named"
    # The press is covered by the anonymous consent only.
    use = record_use(testimony, scope="press", used_on=today(), by=None)
    assert use.anonymity == "anonymous"
    Use.objects.all().delete()
    assert "Named use" in refused(testimony, scope="press", anonymity="named")


def test_an_expired_consent_does_not_count_next_to_a_valid_one():
    witness = make_witness()
    make_consent(
        witness,
        anonymity="named",
        scopes="website press",
        given_on=today() - 900 * DAY,
        expires_on=today() - 100 * DAY,
    )
    make_consent(witness, anonymity="anonymous", scopes="website", given_on=today() - 50 * DAY)
    testimony = make_testimony(
        witness, recorded_on=today() - 200 * DAY, approved_on=today() - 200 * DAY
    )
    assert refused(testimony, scope="press", used_on=today()) == (
        "The consent does not cover the press."
    )
    assert "Named use" in refused(testimony, scope="website", anonymity="named", used_on=today())
    # While the first one was valid, the press was covered, named.
    assert record_use(testimony, scope="press", used_on=today() - 101 * DAY, by=None)


def test_a_witness_without_any_consent_is_refused():
    testimony = make_testimony(make_witness())
    assert "No consent had been given on" in refused(testimony)


def test_a_link_that_is_not_a_web_address_is_refused():
    testimony = usable_testimony()
    assert refused(testimony, link="javascript:alert(1)") == "The link must be a web address."


def test_the_anonymity_order_goes_from_named_to_anonymous():
    from advocacy.models import ANONYMITY_ORDER

    assert sorted(ANONYMITY_ORDER, key=ANONYMITY_ORDER.get) == ["named", "first_name", "anonymous"]
