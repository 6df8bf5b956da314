"""Where the PII scanner learns the names to look for. The case files live in a higher
app (detainees): it registers a provider here, so that this lower app never imports it."""

from collections.abc import Callable

_providers: list[Callable] = []


def register_known_names(provider: Callable) -> None:
    """`provider(organisation) -> iterable of full names` held in its case files."""
    if provider not in _providers:
        _providers.append(provider)


def known_names(organisation) -> list[str]:
    names: list[str] = []
    for provider in _providers:
        names.extend(provider(organisation))
    return names
