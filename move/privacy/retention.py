"""The retention registry (DESIGN.md §4): each app registers the rules that erase or
reduce what it no longer needs to keep; one daily job (tasks.apply_retention) and
`manage.py retention` apply them all. This lower app never imports the apps whose
rules it runs: they register here from their AppConfig.ready.

A rule says which records are due on a day (`candidates`), what to do with one
(`apply`) and how to name one in a report (`label`: a code, never a name). Each record
is applied in its own transaction: one that fails is logged and reported, and the
others go on.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str  # stable: it names the rule in reports and logs
    description: str  # translated (gettext_lazy), for people
    candidates: Callable[[date], Iterable]
    apply: Callable[[object, date], object]  # returning False: no longer due, skipped
    label: Callable[[object], str]


@dataclass
class Report:
    """What one rule erased (or, in a dry run, would erase) on one day."""

    rule: Rule
    dry_run: bool
    due: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def count(self) -> int:
        """How many records were (or would be) erased."""
        return len(self.due) if self.dry_run else len(self.done)


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> None:
    """Add a rule; registering the same name again replaces it (ready() may run twice)."""
    _rules[rule.name] = rule


def rules() -> list[Rule]:
    return sorted(_rules.values(), key=lambda rule: rule.name)


def run(today: date | None = None, dry_run: bool = False) -> list[Report]:
    """Apply every rule (or, with dry_run, only say what each would erase)."""
    today = today or timezone.localdate()
    return [_run_rule(rule, today, dry_run) for rule in rules()]


def _run_rule(rule: Rule, today: date, dry_run: bool) -> Report:
    report = Report(rule, dry_run)
    items = list(rule.candidates(today))
    report.due = [rule.label(item) for item in items]
    if dry_run:
        return report
    for item, label in zip(items, report.due, strict=True):
        try:
            with transaction.atomic():
                applied = rule.apply(item, today)
        except Exception:
            # One record that cannot be erased must not keep the others: log, go on.
            logger.exception("Retention rule %s failed on %s", rule.name, label)
            report.failed.append(label)
            continue
        (report.skipped if applied is False else report.done).append(label)
    if report.done or report.failed:
        logger.info(
            "Retention rule %s: %d erased, %d failed",
            rule.name,
            len(report.done),
            len(report.failed),
        )
    return report
