import factory

from move.accounts.models import Membership, Organisation, User
from move.centres.models import Centre, CentreYear

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    short_name = factory.Sequence(lambda n: f"Org{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Organisation {o.short_name}")
    name_nl = factory.LazyAttribute(lambda o: f"Organisatie {o.short_name}")
    kind = Organisation.Kind.FOUNDING_MEMBER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def member(role: str, organisation: Organisation | None = None, **user_fields) -> User:
    """A user with one role in an organisation (created if not given)."""
    user = UserFactory(**user_fields)
    organisation = organisation or OrganisationFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    user.groups.add(organisation.group)
    return user


def with_totp(user: User) -> User:
    """Give the user a TOTP authenticator, as if they had set up MFA."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    code = factory.Sequence(lambda n: f"centre-{n}")
    name_fr = factory.Sequence(lambda n: f"Centre {n}")
    name_nl = factory.Sequence(lambda n: f"Centrum {n}")
    kind = Centre.Kind.ADULT_CENTRE
    town = "Steenokkerzeel"


class CentreYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CentreYear

    centre = factory.SubFactory(CentreFactory)
    year = 2022
    people_detained = 700
    people_detained_source = "Immigration Office, annual report 2022"
    capacity = 100
    capacity_source = "AIDA 2023"
