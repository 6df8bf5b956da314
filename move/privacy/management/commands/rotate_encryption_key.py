"""Re-encrypt everything with the current MOVE_ENCRYPTION_KEY.

To change the key: put the old one in MOVE_ENCRYPTION_OLD_KEYS and the new one in
MOVE_ENCRYPTION_KEY, restart, run this command, then remove the old key. Until then the
old key still decrypts (never encrypts). Rotated: every EncryptedTextField of every
installed model, the second-factor secrets that allauth stores through
move.accounts.adapters.MFAAdapter, the key canary, and the identities' name index (a
keyed digest, whose key derives from the current key).

Values are read and written as stored (tokens), one batch per transaction with its rows
locked; a value already on the current key is left alone, so the command can be stopped
and run again. `--dry-run` only counts what is not yet on the current key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from move.privacy import crypto

# allauth's authenticator types and the key of their encrypted value in `data`.
MFA_SECRETS = {"totp": "secret", "recovery_codes": "seed"}


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """(model, [field names]) for every concrete EncryptedTextField of every model."""
    found = []
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, crypto.EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found


def in_batches(queryset, size: int, lock: bool, handle) -> None:
    """Call `handle(rows)` on the queryset's rows by increasing pk, `size` at a time,
    each batch in its own transaction, its rows locked unless `lock` is false."""
    last = None
    while True:
        with transaction.atomic():
            page = queryset.order_by("pk")
            if last is not None:
                page = page.filter(pk__gt=last)
            if lock:
                page = page.select_for_update()
            rows = list(page[:size])
            if not rows:
                return
            handle(rows)
        last = rows[-1][0] if isinstance(rows[-1], tuple) else rows[-1].pk


class Command(BaseCommand):
    help = "Re-encrypt the stored personal data with the current MOVE_ENCRYPTION_KEY."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what is not yet encrypted with the current key; change nothing.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        self.dry_run, self.size = dry_run, batch_size
        verb = "to re-encrypt" if dry_run else "re-encrypted"
        try:
            for model, names in encrypted_fields():
                for name, (seen, changed) in self.rotate_fields(model, names).items():
                    self.report(f"{model._meta.label}.{name}", seen, changed, verb)
            for kind, (seen, changed) in self.rotate_mfa().items():
                self.report(f"second factor ({kind})", seen, changed, verb)
            self.report("key canary", *self.rotate_canary(), verb)
            recompute = "to recompute" if dry_run else "recomputed"
            self.report("identity name index", *self.reindex_names(), recompute)
        except crypto.UnreadableData as error:
            raise CommandError(
                f"{error} Nothing more was changed; what was re-encrypted before stays "
                "readable with the current key."
            ) from None
        if not dry_run:
            crypto.verify_keys()
            self.stdout.write(
                self.style.SUCCESS(
                    "Everything is encrypted with the current key: "
                    "MOVE_ENCRYPTION_OLD_KEYS can be emptied."
                )
            )

    def report(self, what: str, seen: int, changed: int, verb: str) -> None:
        self.stdout.write(f"{what}: {changed} of {seen} {verb}")

    def rotate_fields(self, model, names) -> dict[str, tuple[int, int]]:
        """The tokens as stored (a cast to plain text skips the field's decryption);
        each one not on the current key is written back re-encrypted, as a plain value
        (not through the field, which would encrypt it again)."""
        raw = {f"_raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
        rows = model._base_manager.annotate(**raw).values_list("pk", *raw)
        counts = {name: [0, 0] for name in names}

        def handle(batch):
            for pk, *tokens in batch:
                changes = {}
                for name, token in zip(names, tokens, strict=True):
                    if not token:
                        continue
                    counts[name][0] += 1
                    if not crypto.is_current(token):
                        counts[name][1] += 1
                        changes[name] = models.Value(
                            crypto.rotate(token), output_field=models.TextField()
                        )
                if changes and not self.dry_run:
                    model._base_manager.filter(pk=pk).update(**changes)

        in_batches(rows, self.size, not self.dry_run, handle)
        return {name: tuple(count) for name, count in counts.items()}

    def rotate_mfa(self) -> dict[str, tuple[int, int]]:
        from allauth.mfa.models import Authenticator

        counts = {kind: [0, 0] for kind in MFA_SECRETS}
        authenticators = Authenticator.objects.filter(type__in=list(MFA_SECRETS))

        def handle(batch):
            for authenticator in batch:
                key = MFA_SECRETS[authenticator.type]
                token = (authenticator.data or {}).get(key)
                if not token:
                    continue
                counts[authenticator.type][0] += 1
                if crypto.is_current(token):
                    continue
                counts[authenticator.type][1] += 1
                if not self.dry_run:
                    data = {**authenticator.data, key: crypto.rotate(token)}
                    Authenticator.objects.filter(pk=authenticator.pk).update(data=data)

        in_batches(authenticators, self.size, not self.dry_run, handle)
        return {kind: tuple(count) for kind, count in counts.items()}

    def rotate_canary(self) -> tuple[int, int]:
        from move.privacy.models import KeyCanary

        with transaction.atomic():
            canary = KeyCanary.objects.select_for_update().filter(pk=1).first()
            if canary is None or crypto.is_current(canary.token):
                return (0 if canary is None else 1), 0
            if not self.dry_run:
                KeyCanary.objects.filter(pk=1).update(token=crypto.rotate(canary.token))
        return 1, 1

    def reindex_names(self) -> tuple[int, int]:
        """Identity.name_index: the digest of the full name under the current key, so
        that duplicates are still found after the key changed. The project's one blind
        index; looked up by name, as move.privacy does not import the apps above it."""
        if not apps.is_installed("detainees"):
            return 0, 0
        identity_model = apps.get_model("detainees", "Identity")
        identities = identity_model._base_manager.only("pk", "surname", "given_names", "name_index")
        counts = [0, 0]

        def handle(batch):
            for identity in batch:
                counts[0] += 1
                name = identity.full_name()
                index = crypto.blind_index(name) if name else ""
                if index != identity.name_index:
                    counts[1] += 1
                    if not self.dry_run:
                        identity_model._base_manager.filter(pk=identity.pk).update(name_index=index)

        in_batches(identities, self.size, not self.dry_run, handle)
        return counts[0], counts[1]
