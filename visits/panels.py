"""What higher apps add to a visit's page (detainees: the people met), through this
registry, so that visits never imports them (DESIGN.md §2)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class VisitPanel:
    template: str
    context: Callable  # (request, visit) -> dict, or None to show nothing


_panels: list[VisitPanel] = []


def register_visit_panel(template: str, context: Callable) -> None:
    if any(panel.template == template for panel in _panels):
        return
    _panels.append(VisitPanel(template, context))


def visit_panels(request, visit) -> list[dict]:
    shown = []
    for panel in _panels:
        data = panel.context(request, visit)
        if data is not None:
            shown.append({"template": panel.template, **data})
    return shown


# What higher apps add to a visit report's page (legal: "Ask the lawyer").
_report_panels: list[VisitPanel] = []


def register_report_panel(template: str, context: Callable) -> None:
    """`context(request, report)` -> dict, or None to show nothing."""
    if any(panel.template == template for panel in _report_panels):
        return
    _report_panels.append(VisitPanel(template, context))


def report_panels(request, report) -> list[dict]:
    shown = []
    for panel in _report_panels:
        data = panel.context(request, report)
        if data is not None:
            shown.append({"template": panel.template, **data})
    return shown
