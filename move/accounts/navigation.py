"""The navigation registry: each app adds its entries in AppConfig.ready(), so that
this lower app never imports a higher one (DESIGN.md §2)."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from move.accounts import permissions


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str
    permissions: frozenset[str] | None  # any one of them shows it; None: every signed-in person
    order: int


_entries: list[Entry] = []
# The entries' addresses, reversed once per URLconf and script prefix rather than on
# every page (a dozen reversals a request, measured with `make bench`).
_addresses: dict[tuple, str] = {}


def register(
    url_name: str, label, permission: str | tuple[str, ...] | None = None, order: int = 50
) -> None:
    """`permission`: the one, or any of several, that shows the entry."""
    names = None
    if permission is not None:
        names = frozenset((permission,) if isinstance(permission, str) else permission)
        for name in names:
            permissions.roles_with(name)  # an unknown name fails at start-up
    if any(entry.url_name == url_name for entry in _entries):
        return
    _entries.append(Entry(url_name, label, names, order))
    _entries.sort(key=lambda entry: entry.order)


def entries_for(user, current_path: str = "") -> list[dict]:
    granted = permissions.permissions_of(user)
    items = [
        {"url": _address(entry.url_name), "label": entry.label, "current": False}
        for entry in _entries
        if entry.permissions is None or not granted.isdisjoint(entry.permissions)
    ]
    # The entry whose address is the longest start of the page's is the current one.
    matching = [item for item in items if _contains(item["url"], current_path)]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return items


def _address(url_name: str) -> str:
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    if key not in _addresses:
        _addresses[key] = reverse(url_name)
    return _addresses[key]


def _contains(url: str, path: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
