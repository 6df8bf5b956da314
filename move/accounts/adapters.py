from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from move.privacy import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Nobody signs up: a coordinator invites people into an organisation.
        return False


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are stored encrypted with MOVE_ENCRYPTION_KEY."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
