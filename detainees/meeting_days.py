"""What the meetings say of each person, kept by the writes: Person.first_met_on and
last_met_on, the days of the earliest and the latest visit where they were met, and their
MeetingTally rows, how many times they were met in each centre in each quarter and year
(read by the yearly figures). The writes that change them: a meeting recorded, moved to
another visit or person or deleted, a visit whose day or centre changes. `refresh` counts
them again from the meetings for the people touched; the signals below call it for every
write through the models, and the bulk writes (the demo's, the benchmarks') call it
themselves once they are done. A test (tests/detainees/test_meeting_days.py) compares
them with a recount after each kind of write."""

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.db.models.signals import post_delete, post_save, pre_save

from detainees.models import Accompaniment, MeetingTally, Person


def refresh(people=None) -> int:
    """Count first_met_on and last_met_on again for `people` (pks, or a queryset of
    pks); every person when None. Returns the number of case files updated.

    The case files are locked first, and counted in the next statement: a meeting that
    another transaction recorded for the same person is then either committed, and
    counted, or not yet, and that transaction counts again after this one commits. (An
    UPDATE that waits for the row counts from the snapshot it began with.)"""
    chosen = Person.objects.all() if people is None else Person.objects.filter(pk__in=people)
    with transaction.atomic():
        locked = list(chosen.select_for_update().order_by("pk").values_list("pk", flat=True))
        updated = chosen.update(first_met_on=_day(Min), last_met_on=_day(Max))
        count_tallies(None if people is None else locked)
        return updated


def count_tallies(people) -> None:
    """Count the MeetingTally rows of `people` (pks; everyone when None) again from their
    meetings and case files: deleted, then inserted in two statements, per quarter and
    per whole year. `refresh` calls it with the people locked; the bulk writers call it
    on rows that no one else writes."""
    if isinstance(people, list | tuple | set) and not people:
        return  # no one (a visit without meetings): an empty IN () cannot be written
    tallies, meetings = MeetingTally.objects.all(), Accompaniment.objects.all()
    if people is not None:
        tallies, meetings = tallies.filter(person__in=people), meetings.filter(person__in=people)
    tallies.delete()  # one DELETE: nothing points at a tally, no signal listens
    names = ("person", "year", "quarter", "centre", "meetings", *MeetingTally.COPIED)
    columns = ", ".join(MeetingTally._meta.get_field(name).column for name in names)
    copied = {name: F(f"person__{name}") for name in MeetingTally.COPIED}
    with connection.cursor() as cursor:
        for quarter in (ExtractQuarter("visit__date"), Value(MeetingTally.WHOLE_YEAR)):
            counted = (
                meetings.values(
                    "person_id",
                    year=ExtractYear("visit__date"),
                    quarter=quarter,
                    centre=F("visit__centre_id"),
                )
                .annotate(meetings=Count("pk"))
                .values("person_id", "year", "quarter", "centre", "meetings", **copied)
                .order_by()
            )
            sql, params = counted.query.sql_with_params()
            cursor.execute(f"INSERT INTO {MeetingTally._meta.db_table} ({columns}) {sql}", params)


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
    """Whether the visit's day or centre changes: only then are its people counted again
    (a visit is saved for its status, its visitors' planning... far more often)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("date", "centre_id").first()
    instance._met_changed = before != (instance.date, instance.centre_id)


def _visit_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created and getattr(instance, "_met_changed", True):
        refresh(Accompaniment.objects.filter(visit=instance).values("person_id"))


def _case_file_saved(sender, instance, created, raw=False, **kwargs):
    """A case file's fields copied onto its tallies follow its edits (a new case file
    has no meeting yet): counted again under the case file's lock, as a meeting's write
    does, so that the two never insert the same rows at once."""
    if not raw and not created:
        refresh([instance.pk])


def connect() -> None:
    from visits.models import Visit

    post_save.connect(_case_file_saved, sender=Person, dispatch_uid="met_days_person")
    pre_save.connect(_meeting_about_to_save, sender=Accompaniment, dispatch_uid="met_days_pre")
    post_save.connect(_meeting_saved, sender=Accompaniment, dispatch_uid="met_days_saved")
    post_delete.connect(_meeting_deleted, sender=Accompaniment, dispatch_uid="met_days_deleted")
    pre_save.connect(_visit_about_to_save, sender=Visit, dispatch_uid="met_days_visit_pre")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="met_days_visit")
