from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter

from move.privacy import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Nobody signs up: a coordinator invites people into an organisation.
        return False

    def pre_authenticate(self, request, **credentials):
        """allauth counts failed sign-ins per account and per IP (settings'
        `login_failed`); this adds the tighter count per account *and* IP
        (`login_failed_account_ip`): someone mistyping in an office is paused after a few
        tries from there, while the account is only paused everywhere after many more
        (a guesser spread over addresses), and their colleagues are never paused."""
        super().pre_authenticate(request, **credentials)
        account = self._get_login_attempts_cache_key(request, **credentials)
        usage = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_account_ip",
            key=f"{account}@{ratelimit.get_ip(request)}",
        )
        if not usage:
            # Give back what the wider counts consumed: this attempt was not tried.
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")
        # A successful sign-in gives back all it consumed, this count included.
        self._login_failed_rl_usage.usage.extend(usage.usage)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are stored encrypted with MOVE_ENCRYPTION_KEY."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
