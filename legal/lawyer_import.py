"""The directory as a CSV file: exported from the list, imported back after a preview.

The columns (COLUMNS) are the same both ways, so that a file exported, changed in a
spreadsheet and imported again changes what was changed and nothing else. tablib reads
and writes the CSV; this module says what each cell means.

Import in two steps. `store()` keeps the uploaded file under
MEDIA_ROOT/private/legal/imports/<uuid>.csv and gives a signed token naming that file and
the uploader; `read()` checks every row (e-mail, phone, bar, languages, specialities,
centres, regions, yes/no, dates) and says each error by line and column, and which rows
are new and which update a lawyer found by e-mail. Nothing is saved until `confirm()`,
which reads the file again (the directory may have changed meanwhile), refuses if any
row has an error, saves every row in one transaction, and deletes the file.

A cell that a spreadsheet would take for a formula (= + - @ at the start) is written
with a ' before it, and that ' is taken away again on import."""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import tablib
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legal.directory_forms import e164, receives, reference, settle_subscription
from legal.library import NEWSLETTER_LANGUAGES, REGIONS, SPOKEN_LANGUAGES
from legal.models import Bar, Lawyer, Speciality
from move.privacy.files import private_root

FOLDER = "legal/imports"
MAX_BYTES = 2 * 1024 * 1024
# How long an uploaded file waits for its confirmation.
KEPT = timedelta(hours=24)
SALT = "legal.lawyer-import"

# column → what it holds, as the import page explains it.
COLUMNS = {
    "name": gettext_lazy("Name of the lawyer (required)."),
    "firm": gettext_lazy("Firm or chambers."),
    "bar": gettext_lazy(
        "The bar (required): its code (antwerp, brussels-nl…) or its name in French, Dutch "
        "or English."
    ),
    "email": gettext_lazy(
        "E-mail address (required). A lawyer already in the directory with this address "
        "(capitals do not count) is updated, not added twice."
    ),
    "phone": gettext_lazy("Phone: +32 470 12 34 56, or a Belgian number such as 03 221 13 33."),
    "languages": gettext_lazy("Languages spoken, as codes: fr nl en de ar es pt ru tr."),
    "specialities": gettext_lazy("Specialities: codes or names (detention, asylum, dublin…)."),
    "legal_aid": gettext_lazy("Takes legal-aid cases: yes or no."),
    "centres": gettext_lazy("Centres covered: codes or names (merksplas, 127bis…)."),
    "regions": gettext_lazy("Regions covered, as codes: brussels antwerp limburg liege…"),
    "subscribed": gettext_lazy("Receives the newsletter: yes or no."),
    "subscription_basis": gettext_lazy(
        "Legal basis of the subscription (required when subscribed): consent or "
        "legitimate_interest."
    ),
    "subscribed_on": gettext_lazy(
        "Subscribed on: 2024-03-01 or 01/03/2024 (empty: today, if subscribed)."
    ),
    "newsletter_language": gettext_lazy("Language of the newsletter: fr or nl (empty: fr)."),
    "unsubscribed_on": gettext_lazy("Unsubscribed on, if they did: a date, as above."),
    "notes": gettext_lazy("Notes."),
}
REQUIRED = ("name", "bar", "email")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATORS = re.compile(r"[,;\n]")
TRUE = {"yes", "y", "true", "1", "oui", "ja", "x"}
FALSE = {"no", "n", "false", "0", "non", "nee", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


class ImportError_(Exception):  # noqa: N801 - not the builtin ImportError
    """The file as a whole cannot be read: its message says why."""


# --- Export -------------------------------------------------------------------------------


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unsafe_cell(text: str) -> str:
    """What safe_cell() wrote, back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def export(lawyers) -> str:
    """The lawyers of `lawyers` (a queryset, filtered) as CSV text, with a BOM for the
    spreadsheets: three queries, whatever their number."""
    ref = reference()
    rows = list(lawyers.order_by("name", "pk").values(*EXPORTED))
    ids = lawyers.values("pk")
    specialities = _through(Lawyer.specialities.through, "speciality_id", ids)
    centres = _through(Lawyer.centres.through, "centre_id", ids)
    codes = {
        name: {item.pk: item.code for item in getattr(ref, attr)}
        for name, attr in (("bar", "bars"), ("speciality", "specialities"), ("centre", "centres"))
    }
    data = tablib.Dataset(headers=list(COLUMNS))
    for row in rows:
        pk = row["pk"]
        values = {
            **row,
            "bar": codes["bar"].get(row["bar_id"], ""),
            "specialities": " ".join(codes["speciality"][s] for s in specialities.get(pk, [])),
            "centres": " ".join(codes["centre"][c] for c in centres.get(pk, [])),
            "legal_aid": "yes" if row["legal_aid"] else "no",
            "subscribed": "yes" if row["subscribed"] else "no",
            "subscribed_on": _day(row["subscribed_on"]),
            "unsubscribed_on": _day(row["unsubscribed_on"]),
        }
        data.append([safe_cell(values[column]) for column in COLUMNS])
    return "\ufeff" + data.export("csv")


EXPORTED = [
    "pk",
    "name",
    "firm",
    "bar_id",
    "email",
    "phone",
    "languages",
    "legal_aid",
    "regions",
    "subscribed",
    "subscription_basis",
    "subscribed_on",
    "newsletter_language",
    "unsubscribed_on",
    "notes",
]


def _through(model, other: str, lawyer_ids) -> dict[int, list[int]]:
    """{lawyer id: [ids of the other side]} for the lawyers of `lawyer_ids`: one query."""
    found: dict[int, list[int]] = {}
    pairs = model.objects.filter(lawyer_id__in=lawyer_ids).order_by("lawyer_id", other)
    for lawyer, linked in pairs.values_list("lawyer_id", other):
        found.setdefault(lawyer, []).append(linked)
    return found


def _day(value) -> str:
    return value.isoformat() if value else ""


# --- Upload and token ---------------------------------------------------------------------


def received(upload) -> bytes:
    """What the upload holds, if it is not too large to be the directory's file."""
    if upload.size > MAX_BYTES:
        raise ImportError_(
            _(
                "This file is too large (%(size)s MB): the directory's CSV file is at most "
                "2 MB. Choose the CSV file exported from the directory or the spreadsheet "
                "saved as CSV."
            )
            % {"size": f"{upload.size / 1024 / 1024:.1f}"}
        )
    return upload.read()


def store(raw: bytes, user) -> str:
    """Keep the file previewed for its confirmation; its signed token (the file's name and
    the uploader). Files left unconfirmed longer than KEPT are deleted on the way."""
    folder = private_root() / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    name = uuid.uuid4().hex
    (folder / f"{name}.csv").write_bytes(raw)
    return signing.dumps({"file": name, "user": user.pk}, salt=SALT)


def stored_file(token: str, user) -> Path:
    """The file a token names, if it is the user's and still there; else ImportError_."""
    try:
        found = signing.loads(token or "", salt=SALT, max_age=KEPT)
        name, owner = uuid.UUID(hex=str(found["file"])).hex, found["user"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ImportError_(_("There is no previewed file to import: upload it again.")) from None
    path = private_root() / FOLDER / f"{name}.csv"
    if owner != user.pk or not path.exists():
        raise ImportError_(_("There is no previewed file to import: upload it again."))
    return path


def _forget_old(folder: Path) -> None:
    limit = datetime.now().timestamp() - KEPT.total_seconds()
    for old in folder.glob("*.csv"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


# --- Reading ------------------------------------------------------------------------------


@dataclass
class Row:
    line: int  # as a spreadsheet numbers it: the header is line 1
    values: dict  # column → the cell as written
    errors: list = field(default_factory=list)  # (column, message)
    fields: dict = field(default_factory=dict)  # model field → value, when valid
    lawyer: Lawyer | None = None  # the lawyer it updates, None if new

    @property
    def is_new(self) -> bool:
        return self.lawyer is None


@dataclass
class Preview:
    columns: list[str]
    rows: list[Row]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        """(line, column, message) of every error, line by line."""
        return [(row.line, column, text) for row in self.rows for column, text in row.errors]

    @property
    def new(self) -> int:
        return sum(1 for row in self.rows if row.is_new)

    @property
    def updated(self) -> int:
        return len(self.rows) - self.new


def read(raw: bytes) -> Preview:
    """Every row of the file checked; ImportError_ if the file as a whole is unreadable."""
    data = _dataset(raw)
    columns = [str(header or "").strip().lower() for header in data.headers]
    # Spreadsheets often add empty columns at the right: unnamed and empty, left out.
    kept = [n for n, name in enumerate(columns) if name or any(row[n] for row in data)]
    columns = [columns[n] for n in kept]
    _check_columns(columns)
    lookups = Lookups()
    rows = []
    for index, cells in enumerate(data):
        values = {
            column: unsafe_cell(str(cells[n] or "").strip())
            for column, n in zip(columns, kept, strict=True)
        }
        rows.append(_row(index + 2, values, lookups))
    _find_lawyers(rows)
    for row in rows:
        _check_subscription(row)
    return Preview(columns, rows)


def _dataset(raw: bytes) -> tablib.Dataset:
    if not raw.strip():
        raise ImportError_(_("The file is empty."))
    if b"\x00" in raw[:8192]:
        raise ImportError_(
            _(
                "This is not a CSV text file (it holds binary data: a spreadsheet saved as "
                ".xlsx?). Save it as “CSV UTF-8” and upload that."
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(
            _(
                "This file is not in UTF-8: accented letters would be lost. In your "
                "spreadsheet, save it as “CSV UTF-8” and upload that."
            )
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        data = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except tablib.InvalidDimensions:
        raise ImportError_(
            _("Some lines have more cells than the first line has columns: check the file.")
        ) from None
    except Exception:  # the csv module's Error, and whatever tablib makes of it
        raise ImportError_(_("This file could not be read as CSV.")) from None
    if not data.headers:
        raise ImportError_(_("The file is empty."))
    if not len(data):
        raise ImportError_(_("The file has its line of column names but no lawyer under it."))
    return data


def _check_columns(columns: list[str]) -> None:
    unknown = [name for name in columns if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in columns]
    twice = sorted({name for name in columns if columns.count(name) > 1})
    problems = []
    if unknown:
        problems.append(
            _("Unknown columns: %(names)s.") % {"names": ", ".join(n or '""' for n in unknown)}
        )
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if twice:
        problems.append(_("Columns given twice: %(names)s.") % {"names": ", ".join(twice)})
    if problems:
        problems.append(_("The first line must name the columns, as listed on this page."))
        raise ImportError_(" ".join(problems))


def _row(line: int, values: dict, lookups) -> Row:
    row = Row(line, values)
    for column, value in values.items():
        try:
            row.fields.update(READERS[column](value, lookups))
        except ValidationError as error:
            row.errors.extend((column, text) for text in error.messages)
    return row


def _check_subscription(row: Row) -> None:
    """Subscribed needs a basis: the file's, or for a lawyer updated, the one recorded."""
    fields, lawyer = row.fields, row.lawyer
    subscribed = fields.get("subscribed", lawyer.subscribed if lawyer else False)
    basis = fields.get("subscription_basis", lawyer.subscription_basis if lawyer else "")
    columns = {column for column, _message in row.errors}
    if subscribed and not basis and not columns & {"subscribed", "subscription_basis"}:
        row.errors.append(
            ("subscription_basis", _("Say on which legal basis the newsletter is sent."))
        )


def _find_lawyers(rows: list[Row]) -> None:
    """The lawyer each row updates (by e-mail, one query), and e-mails given twice."""
    emails = [row.fields["email"] for row in rows if "email" in row.fields]
    found = {lawyer.email.lower(): lawyer for lawyer in Lawyer.objects.filter(email__in=emails)}
    first_line = {}
    for row in rows:
        email = row.fields.get("email")
        if not email:
            continue
        if email in first_line:
            row.errors.append(
                (
                    "email",
                    _("Already on line %(line)s: one line per lawyer.")
                    % {"line": first_line[email]},
                )
            )
            continue
        first_line[email] = row.line
        row.lawyer = found.get(email)


# Each column's reader: the cell → {model field: value}, or ValidationError.


def _text(name, max_length, required=False):
    def read_text(value, lookups):
        if required and not value:
            raise ValidationError(_("Required."))
        if len(value) > max_length:
            raise ValidationError(
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": max_length, "length": len(value)}
            )
        return {name: value}

    return read_text


def _email(value, lookups):
    if not value:
        raise ValidationError(_("Required."))
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not an e-mail address.") % {"value": value}
        ) from None
    return {"email": value.lower()}


def _phone(value, lookups):
    if not value:
        return {"phone": ""}
    try:
        return {"phone": e164(value)}
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a phone number we can call.") % {"value": value}
        ) from None


class Lookups:
    """The reference rows and, read once per file when a column needs them, every name
    of the bars, specialities and centres in the three languages (lower case → pk)."""

    def __init__(self):
        self.ref = reference()
        self._names = {}

    def find(self, kind: str, value: str) -> int | None:
        """The pk of the bar, speciality or centre `value` names (code or name)."""
        key = value.strip().lower()
        for item in getattr(self.ref, NAMED[kind][0]):
            if item.code.lower() == key:
                return item.pk
        return self.names(kind).get(key)

    def names(self, kind: str) -> dict[str, int]:
        if kind not in self._names:
            model, found = NAMED[kind][1](), {}
            for row in model.objects.all():
                for language in ("fr", "nl", "en"):
                    name = getattr(row, f"name_{language}", "") or ""
                    if name:
                        found.setdefault(name.strip().lower(), row.pk)
            self._names[kind] = found
        return self._names[kind]


def _centre_model():
    from move.centres.models import Centre

    return Centre


NAMED = {
    "bar": ("bars", lambda: Bar),
    "speciality": ("specialities", lambda: Speciality),
    "centre": ("centres", _centre_model),
}


def _bar(value, lookups):
    if not value:
        raise ValidationError(_("Required."))
    pk = lookups.find("bar", value)
    if pk is None:
        raise ValidationError(_("No bar is called “%(value)s”.") % {"value": value})
    return {"bar_id": pk}


def _several(value: str, known) -> tuple[list, list[str]]:
    """The values a cell lists (separated by commas, semicolons or spaces), each through
    `known(token)` (a value or None): (found, not found)."""
    found, unknown = [], []
    for part in LIST_SEPARATORS.split(value):
        part = part.strip()
        if not part:
            continue
        match = known(part)
        if match is not None:
            found.append(match)
            continue
        words = part.split()
        if len(words) == 1:
            unknown.append(part)
            continue
        for word in words:  # codes separated by spaces
            match = known(word)
            if match is None:
                unknown.append(word)
            else:
                found.append(match)
    return list(dict.fromkeys(found)), unknown


def _codes_reader(name, choices, what):
    labels = {str(label).lower(): code for code, label in choices}
    codes = {code for code, _label in choices}

    def read_codes(value, lookups):
        def known(token):
            token = token.lower()
            return token if token in codes else labels.get(token)

        found, unknown = _several(value, known)
        if unknown:
            raise ValidationError(
                _("Unknown %(what)s: %(values)s.") % {"what": what(), "values": ", ".join(unknown)}
            )
        return {name: " ".join(code for code, _label in choices if code in found)}

    return read_codes


def _linked_reader(name, kind, what):
    def read_linked(value, lookups):
        found, unknown = _several(value, lambda token: lookups.find(kind, token))
        if unknown:
            raise ValidationError(
                _("Unknown %(what)s: %(values)s.") % {"what": what(), "values": ", ".join(unknown)}
            )
        return {name: found}

    return read_linked


def _yes_no(name):
    def read_yes_no(value, lookups):
        key = value.lower()
        if key in TRUE:
            return {name: True}
        if key in FALSE:
            return {name: False}
        raise ValidationError(_("Write yes or no, not “%(value)s”.") % {"value": value})

    return read_yes_no


def _date(name):
    def read_date(value, lookups):
        if not value:
            return {name: None}
        for pattern in DATE_FORMATS:
            try:
                return {name: datetime.strptime(value, pattern).date()}
            except ValueError:
                continue
        raise ValidationError(
            _("“%(value)s” is not a date: write 2024-03-01 or 01/03/2024.") % {"value": value}
        )

    return read_date


def _basis(value, lookups):
    if not value:
        return {"subscription_basis": ""}
    labels = {str(label).lower(): code for code, label in Lawyer.Basis.choices}
    key = value.lower().replace("-", "_").replace(" ", "_")
    if key in Lawyer.Basis.values:
        return {"subscription_basis": key}
    if value.lower() in labels:
        return {"subscription_basis": labels[value.lower()]}
    raise ValidationError(
        _("Write consent or legitimate_interest, not “%(value)s”.") % {"value": value}
    )


def _newsletter_language(value, lookups):
    key = value.lower() or "fr"
    if key not in dict(NEWSLETTER_LANGUAGES):
        raise ValidationError(_("Write fr or nl, not “%(value)s”.") % {"value": value})
    return {"newsletter_language": key}


READERS = {
    "name": _text("name", 200, required=True),
    "firm": _text("firm", 200),
    "bar": _bar,
    "email": _email,
    "phone": _phone,
    "languages": _codes_reader("languages", SPOKEN_LANGUAGES, lambda: _("languages")),
    "specialities": _linked_reader("specialities", "speciality", lambda: _("specialities")),
    "legal_aid": _yes_no("legal_aid"),
    "centres": _linked_reader("centres", "centre", lambda: _("centres")),
    "regions": _codes_reader("regions", REGIONS, lambda: _("regions")),
    "subscribed": _yes_no("subscribed"),
    "subscription_basis": _basis,
    "subscribed_on": _date("subscribed_on"),
    "newsletter_language": _newsletter_language,
    "unsubscribed_on": _date("unsubscribed_on"),
    "notes": _text("notes", 20000),
}


# --- Confirming ---------------------------------------------------------------------------


@dataclass
class Outcome:
    added: int
    updated: int


def confirm(path: Path) -> tuple[Preview, Outcome | None]:
    """Save every row of the file, or none: (the file read again, what was saved or None
    if a row has an error now). The file is deleted either way: a file refused is
    corrected and uploaded again."""
    with transaction.atomic():
        preview = read(path.read_bytes())
        if preview.errors:
            path.unlink(missing_ok=True)
            return preview, None
        for row in preview.rows:
            _save(row)
    path.unlink(missing_ok=True)
    return preview, Outcome(preview.new, preview.updated)


def _save(row: Row) -> None:
    """One line saved. A file never ends an unsubscription (an old export imported again
    must not write to someone who asked to stop): that is done on the lawyer's page."""
    fields = dict(row.fields)
    specialities = fields.pop("specialities", None)
    centres = fields.pop("centres", None)
    lawyer = row.lawyer or Lawyer()
    received = receives(lawyer)
    gone = lawyer.unsubscribed_on
    for name, value in fields.items():
        setattr(lawyer, name, value)
    lawyer.unsubscribed_on = gone or lawyer.unsubscribed_on
    if not lawyer.unsubscribed_on:
        settle_subscription(lawyer, received, bool(fields.get("subscribed_on")))
    lawyer.save()
    if specialities is not None:
        lawyer.specialities.set(specialities)
    if centres is not None:
        lawyer.centres.set(centres)
