"""What higher apps add to a case file's page (legal: "Ask the lawyer" and the help
requests about the file), through this registry, so that detainees never imports them
(DESIGN.md §2)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonPanel:
    template: str
    context: Callable  # (request, person) -> dict, or None to show nothing


_panels: list[PersonPanel] = []


def register_person_panel(template: str, context: Callable) -> None:
    if any(panel.template == template for panel in _panels):
        return
    _panels.append(PersonPanel(template, context))


def person_panels(request, person) -> list[dict]:
    shown = []
    for panel in _panels:
        data = panel.context(request, person)
        if data is not None:
            shown.append({"template": panel.template, **data})
    return shown
