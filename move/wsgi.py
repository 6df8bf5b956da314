import os

from django.core.wsgi import get_wsgi_application
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "move.settings")
application = get_wsgi_application()

from move.privacy.checks import verify_keys_at_start  # noqa: E402  (needs the apps loaded)

# A key that does not open the stored data stops the start (crypto.UnreadableData): no
# page is served, nothing is encrypted with a key nobody kept. The connection opened for
# the check is not carried into the requests.
verify_keys_at_start()
connections.close_all()
