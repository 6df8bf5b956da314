"""Panels of the home page: each app adds what is its users' to do, through this
registry (this lower app never imports a higher one). A panel's template reads its
data as `panel.<name>`, from the dict its context function returns."""

from collections.abc import Callable
from dataclasses import dataclass

from move.accounts import permissions


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (request) -> dict
    permission: str
    order: int


_panels: list[Panel] = []


def register_panel(template: str, context, permission: str, order: int = 50) -> None:
    permissions.roles_with(permission)  # an unknown name fails at start-up
    if any(panel.template == template for panel in _panels):
        return
    _panels.append(Panel(template, context, permission, order))
    _panels.sort(key=lambda panel: panel.order)


def panels_for(request) -> list[dict]:
    granted = permissions.permissions_of(request.user)
    return [
        {"template": panel.template, **panel.context(request)}
        for panel in _panels
        if panel.permission in granted
    ]
