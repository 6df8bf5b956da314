"""Encryption of personal data at rest (identities, second-factor secrets).

The key comes from MOVE_ENCRYPTION_KEY; keys used before are listed in
MOVE_ENCRYPTION_OLD_KEYS so that what they encrypted stays readable until
`manage.py rotate_encryption_key` has re-encrypted it with the current one. Nothing is
ever written in clear: without a usable key the settings refuse to load, and a value
that no key opens raises instead of being shown or saved as it is.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnreadableData(ImproperlyConfigured):
    """Stored data that none of the configured keys opens."""


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(f"move-fields:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


@cache
def _keys(current: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(current), *(_fernet(secret) for secret in old)])


def keyring() -> MultiFernet:
    """The current key first (it encrypts), then the old ones (they only decrypt)."""
    return _keys(settings.ENCRYPTION_KEY, tuple(settings.ENCRYPTION_OLD_KEYS))


def encrypt(text: str) -> str:
    return keyring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return keyring().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableData(
            "Encrypted data cannot be read with MOVE_ENCRYPTION_KEY or MOVE_ENCRYPTION_OLD_KEYS: "
            "set the key it was written with (as the current key or among the old ones)."
        ) from None


def rotate(token: str) -> str:
    """The same value, encrypted with the current key."""
    try:
        return keyring().rotate(token.encode()).decode()
    except InvalidToken:
        decrypt(token)  # raises with the explanation
        raise


def is_current(token: str) -> bool:
    try:
        _fernet(settings.ENCRYPTION_KEY).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(text: str) -> str:
    """A keyed digest of a normalised value: equal values can be found (duplicates)
    without storing or comparing them in clear."""
    normalised = " ".join(text.casefold().split())
    key = hashlib.sha256(f"move-index:{settings.ENCRYPTION_KEY}".encode()).digest()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; the database only ever holds Fernet tokens. It cannot be
    searched or sorted on (use a blind index)."""

    description = _("Encrypted text")

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_internal_type(self):
        return "TextField"


def verify_keys() -> None:
    """Refuse to run with a key that does not open what is stored: called when the web
    and worker processes start and by `manage.py check --database default`. A canary
    value written with the first key tells, even before any identity exists."""
    from move.privacy.models import KeyCanary

    canary = KeyCanary.objects.filter(pk=1).first()
    if canary is None:
        KeyCanary.objects.create(pk=1, token=encrypt(KeyCanary.VALUE))
        return
    if decrypt(canary.token) != KeyCanary.VALUE:
        raise UnreadableData("The encryption canary holds an unexpected value.")
