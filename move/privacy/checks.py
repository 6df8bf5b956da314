"""Refuse to run with an encryption key that does not open the stored data: a wrong
MOVE_ENCRYPTION_KEY would otherwise show errors on every identity and, worse, encrypt new
data with a key nobody kept. Checked when the web and worker processes start
(move/wsgi.py, move/celery.py) and by `manage.py check --database default`, which
`manage.py migrate` runs first."""

import logging

from django.core.checks import Error, Tags, register
from django.db import IntegrityError

from move.privacy import crypto
from move.privacy.models import KeyCanary

logger = logging.getLogger(__name__)


def verify_keys_at_start() -> bool:
    """crypto.verify_keys(), or False when there is nothing to check yet (the database
    is not migrated). Raises crypto.UnreadableData when the key does not open the data."""
    from django.db import connection

    # Only a database without the table is "not migrated yet"; any other error (the
    # database unreachable at start) stops the start, rather than running unchecked.
    if KeyCanary._meta.db_table not in connection.introspection.table_names():
        logger.warning("The encryption key was not checked: the database is not migrated yet.")
        return False
    try:
        crypto.verify_keys()
    except IntegrityError:
        # Another process wrote the first canary at the same instant: check against it.
        crypto.verify_keys()
    return True


@register(Tags.database)
def encryption_key_opens_the_data(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    try:
        verify_keys_at_start()
    except crypto.UnreadableData as error:
        return [
            Error(
                f"MOVE_ENCRYPTION_KEY does not open the data stored in this database. {error}",
                hint=(
                    "Set MOVE_ENCRYPTION_KEY to the key the data was written with, or put that "
                    "key in MOVE_ENCRYPTION_OLD_KEYS and run `manage.py rotate_encryption_key`."
                ),
                id="privacy.E001",
            )
        ]
    return []
