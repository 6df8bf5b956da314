"""Files kept outside the web root, under MEDIA_ROOT/private: job exports, the help desk's
attachments, decisions, training materials and documents. Rows name them relative to
that folder; they are served only through a view that checks who may read them."""

import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction


def private_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "private"


def stored(name: str) -> Path | None:
    """The file `name` inside the private folder (never outside it), or None."""
    if not name:
        return None
    root = private_root().resolve()
    path = (root / name).resolve()
    return path if path.is_relative_to(root) else None


def delete_file(name: str) -> None:
    """A stored file, if it lies in the private folder (a row pointing elsewhere is a
    bug, not something to delete)."""
    path = stored(name)
    if path is not None:
        path.unlink(missing_ok=True)


def delete_on_commit(*names: str) -> None:
    """Delete these stored files once the transaction is committed (kept if it is
    rolled back)."""
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: delete_file(name), robust=True)


def write_upload(upload, folder: str, extension: str) -> str:
    """The upload under a new random name in `folder` of the private folder, written
    whole or deleted; its name relative to the private folder. Written before the
    transaction that records it, which deletes it if it fails."""
    (private_root() / folder).mkdir(parents=True, exist_ok=True)
    name = f"{folder}/{secrets.token_hex(16)}{extension}"
    upload.seek(0)
    try:
        with (private_root() / name).open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    except BaseException:
        delete_file(name)
        raise
    return name
