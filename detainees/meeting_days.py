"""Person.first_met_on and last_met_on, the days of the earliest and the latest visit
where each person was met, kept by the writes: a meeting recorded, moved to another visit
or deleted, a visit whose day changes. `refresh` counts them again from the meetings, in
one UPDATE, for the people touched; the signals below call it for every write through the
models, and the bulk writes (the demo's, the benchmarks') call it themselves once they are
done. A test (tests/detainees/test_meeting_days.py) compares them with a recount after
each kind of write."""

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save, pre_save

from detainees.models import Accompaniment, Person


def refresh(people=None) -> int:
    """Count first_met_on and last_met_on again for `people` (pks, or a queryset of
    pks); every person when None. Returns the number of case files updated.

    The case files are locked first, and counted in the next statement: a meeting that
    another transaction recorded for the same person is then either committed, and
    counted, or not yet, and that transaction counts again after this one commits. (An
    UPDATE that waits for the row counts from the snapshot it began with.)"""
    chosen = Person.objects.all() if people is None else Person.objects.filter(pk__in=people)
    with transaction.atomic():
        list(chosen.select_for_update().order_by("pk").values_list("pk", flat=True))
        return chosen.update(first_met_on=_day(Min), last_met_on=_day(Max))


def _day(aggregate) -> Subquery:
    """The earliest (Min) or the latest (Max) day of the visits where the person was met."""
    return Subquery(
        Accompaniment.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(day=aggregate("visit__date"))
        .values("day")
    )


def _meeting_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.person_id, *getattr(instance, "_moved_from", ())])


def _meeting_about_to_save(sender, instance, raw=False, **kwargs):
    """A meeting moved from one person to another (never done by the pages, possible in
    code) recounts the first person too."""
    if raw or instance._state.adding or instance.pk is None:
        return
    before = Accompaniment.objects.filter(pk=instance.pk).values_list("person_id", flat=True)
    instance._moved_from = [pk for pk in before if pk != instance.person_id]


def _meeting_deleted(sender, instance, origin=None, **kwargs):
    """Not when the meetings go with their person's case file (erasure, retention)."""
    if not isinstance(origin, Person) and getattr(origin, "model", None) is not Person:
        refresh([instance.person_id])


def _visit_about_to_save(sender, instance, raw=False, **kwargs):
    """Whether the visit's day changes: only then are its people counted again (a visit
    is saved for its status, its visitors' planning... far more often than moved)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("date", flat=True).first()
    instance._day_changed = before != instance.date


def _visit_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created and getattr(instance, "_day_changed", True):
        refresh(Accompaniment.objects.filter(visit=instance).values("person_id"))


def connect() -> None:
    from visits.models import Visit

    pre_save.connect(_meeting_about_to_save, sender=Accompaniment, dispatch_uid="met_days_pre")
    post_save.connect(_meeting_saved, sender=Accompaniment, dispatch_uid="met_days_saved")
    post_delete.connect(_meeting_deleted, sender=Accompaniment, dispatch_uid="met_days_deleted")
    pre_save.connect(_visit_about_to_save, sender=Visit, dispatch_uid="met_days_visit_pre")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="met_days_visit")
