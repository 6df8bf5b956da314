"""PII scanner for visit reports (DESIGN.md §4).

`scan(text)` lists what must be resolved before a report is shared: Belgian national
numbers, phone numbers, e-mail addresses, IBANs, Immigration Office file numbers, dates
of birth and the names held in the organisation's own case files.

Each detector proposes candidate findings; `_resolve_overlaps` then keeps one finding per
stretch of text. Rules are written for French and Dutch at once: Belgian reports mix the
two (a French report quotes a "DVZ-nummer", a Dutch one an "n° SP").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.be import bis, nn

NATIONAL_NUMBER = "national_number"
PHONE = "phone"
EMAIL = "email"
IBAN = "iban"
IMMIGRATION_FILE_NUMBER = "immigration_file_number"
DATE_OF_BIRTH = "date_of_birth"
KNOWN_NAME = "known_name"
UNKNOWN_NAME = "unknown_name"

KINDS = (
    NATIONAL_NUMBER,
    PHONE,
    EMAIL,
    IBAN,
    IMMIGRATION_FILE_NUMBER,
    DATE_OF_BIRTH,
    KNOWN_NAME,
    UNKNOWN_NAME,
)

# Kinds that are a guess from the shape of the text rather than a fact (a checksum, a
# layout, a name from the case files): shown as warnings, dismissed like the others.
WARNING_KINDS = frozenset({UNKNOWN_NAME})

_LABELS = {
    NATIONAL_NUMBER: _("national register number"),
    PHONE: _("phone number"),
    EMAIL: _("e-mail address"),
    IBAN: _("bank account number"),
    IMMIGRATION_FILE_NUMBER: _("Immigration Office file number"),
    DATE_OF_BIRTH: _("date of birth"),
    KNOWN_NAME: _("name of a person in a case file"),
    UNKNOWN_NAME: _("possible name of a person"),
}


def kind_label(kind: str) -> str:
    """What a kind of finding is called, in the reader's language."""
    return str(_LABELS.get(kind, kind))


# When two candidates overlap, the one of the lower tier wins, then the longer one.
# Checksum-validated and structural kinds are the most specific; a phone number or a
# name is the loosest guess (the phone matcher happily reads 11 digits as a number).
_TIER = {
    NATIONAL_NUMBER: 0,
    IBAN: 0,
    EMAIL: 0,
    IMMIGRATION_FILE_NUMBER: 1,
    DATE_OF_BIRTH: 1,
    PHONE: 2,
    KNOWN_NAME: 2,
    # The loosest guess of all: it yields to anything else on the same words.
    UNKNOWN_NAME: 3,
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: `text == source[start:end]`."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def is_warning(self) -> bool:
        """A guess (a possible name) rather than a certainty; resolved the same way."""
        return self.kind in WARNING_KINDS


def scan(
    text: str, *, known_names: Iterable[str] = (), language: str | None = None
) -> list[Finding]:
    """Return the personal data found in `text`, sorted by start, never overlapping.

    `known_names` are the full names from the organisation's case files. `language`
    ("fr", "nl" or None) is a hint only: every rule runs for both languages because
    reports mix them; it is kept for a language-specific step such as French NER.
    """
    if not text:
        return []
    candidates = [
        *_national_numbers(text),
        *_ibans(text),
        *_emails(text),
        *_immigration_file_numbers(text),
        *_dates_of_birth(text),
        *_phones(text),
        *_known_names(text, known_names),
        # Never given `known_names`: whether a word is in the case files must not change
        # what this rule says (DESIGN.md §3, people who may not see the names).
        *_unknown_names(text),
    ]
    return _resolve_overlaps(candidates)


def _finding(kind: str, text: str, start: int, end: int) -> Finding:
    return Finding(kind=kind, start=start, end=end, text=text[start:end])


def _resolve_overlaps(candidates: list[Finding]) -> list[Finding]:
    """Keep the most specific, then longest, candidate of every overlapping group."""
    ranked = sorted(candidates, key=lambda f: (_TIER[f.kind], f.start - f.end, f.start))
    kept: list[Finding] = []
    for candidate in ranked:
        if not any(_overlaps(candidate, other) for other in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end


# --- Belgian national number --------------------------------------------------------

# 11 digits grouped as YY.MM.DD-NNN.CC, with dots, spaces, dashes or nothing between
# the groups. The look-arounds keep us from cutting a number out of a longer one.
_NN_SEP = r"(?:[ \u00a0]?[.\-/][ \u00a0]?|[ \u00a0])?"
_NATIONAL_NUMBER_RE = re.compile(
    rf"(?<![\d+])(?<!\d[.\-/])"
    rf"\d{{2}}{_NN_SEP}\d{{2}}{_NN_SEP}\d{{2}}{_NN_SEP}\d{{3}}{_NN_SEP}\d{{2}}"
    rf"(?![.\-/]?\d)"
)


def _national_numbers(text: str) -> Iterator[Finding]:
    for match in _NATIONAL_NUMBER_RE.finditer(text):
        # A BIS number (people not in the national register, common among detainees)
        # is the same identifier with the month shifted by 20 or 40.
        if nn.is_valid(match.group()) or bis.is_valid(match.group()):
            yield _finding(NATIONAL_NUMBER, text, match.start(), match.end())


# --- IBAN ---------------------------------------------------------------------------

# Country code, check digits, then 11 to 30 letters/digits, optionally in groups
# separated by single spaces or dashes. The candidate may run into the next word;
# `_ibans` then tries shorter cuts.
_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,30}")


def _ibans(text: str) -> Iterator[Finding]:
    # Searched by hand rather than with finditer: a candidate that ran into the next
    # words must not swallow the start of a second IBAN.
    position = 0
    while match := _IBAN_RE.search(text, position):
        end = _longest_valid_iban_end(match.group())
        if end:
            yield _finding(IBAN, text, match.start(), match.start() + end)
        position = match.start() + (end or 1)


def _longest_valid_iban_end(candidate: str) -> int:
    """Length of the longest prefix of `candidate` that is a valid IBAN, ending at a
    group boundary (before a separator or at the end); 0 if there is none."""
    cuts = [i for i, char in enumerate(candidate) if char in " -"] + [len(candidate)]
    for cut in sorted(cuts, reverse=True):
        # The IBAN check digits and the country's length and layout, but not the
        # country's own rules: stdnum's Belgian one also wants the bank code in its
        # registry, which lags behind the banks and says nothing about whether this is
        # an account number.
        if stdnum_iban.is_valid(candidate[:cut], check_country=False):
            return cut
    return 0


# --- E-mail -------------------------------------------------------------------------

# Unicode letters are allowed on both sides ("aïcha.x@…"). "(at)"/"[at]" and
# "(dot)"/"[dot]" are the usual ways of writing an address so that robots miss it.
_AT = r"(?:@|\s?[\[(]at[\])]\s?)"
_DOT = r"(?:\.|\s?[\[(]dot[\])]\s?)"
_EMAIL_RE = re.compile(
    rf"(?<![\w.+\-])[\w+\-]+(?:\.[\w+\-]+)*{_AT}(?:[\w\-]+{_DOT})+[^\W\d_]{{2,}}(?![\w\-])",
    re.IGNORECASE,
)


def _emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL_RE.finditer(text):
        yield _finding(EMAIL, text, match.start(), match.end())


# --- Immigration Office file number -------------------------------------------------

# "SP 7.172.941", "n° SP 7.172.941", "SP-nummer 6527060", "DVZ-nummer 1234567",
# "OE n° 8.765.432", "numéro OE 8 765 432", "Office des étrangers : 1234567",
# "IO ref. 5757739". The agency code is case-sensitive (so "sp" inside a word, or the
# Italian "io", never counts); the words around it are not. "IO" is how English text
# abbreviates the Immigration Office. A leading "n°"/"nr." belongs to the finding.
_FILE_LEAD = r"(?i:(?<!\w)(?:n°|nº|no\.?|nr\.?|num\.|numéro|numero|nummer)[ \u00a0]*)?"
_AGENCY_CODES = r"SP|OE|O\.E\.|DVZ|D\.V\.Z\.|IO"
_FILE_AGENCY = (
    rf"(?:\b(?:{_AGENCY_CODES})"
    r"|(?i:office des étrangers|office des etrangers|dienst vreemdelingenzaken"
    r"|immigration office))"
)
_FILE_LABEL = r"(?i:[ \u00a0\-]?(?:nummer|nr\.?|n°|nº|no\.|numéro|numero|number|ref\.?|réf\.?))?"
_FILE_DIGITS = r"(?<![\d\-/])(?:\d{1,2}(?:[.\u00a0 ]\d{3}){2}|\d{6,8})(?![.,]?\d)"
_FILE_NUMBER_RE = re.compile(
    rf"{_FILE_LEAD}{_FILE_AGENCY}{_FILE_LABEL}[ \u00a0]*[:.]?[ \u00a0]*{_FILE_DIGITS}"
)
# The same number with other words between it and the agency, on either side: "OE
# (1234567)", "1234567 (DVZ)", "dossier 1234567 à l'Office des étrangers", "het
# nummer bij de DVZ is 1234567". Only a few words apart, in the same sentence, with no
# other number or reference (a court's, an article's) in between.
_AGENCY_RE = re.compile(
    # "IO-bound" is English, "IO-nummer" is not: the English code never takes a hyphen.
    rf"(?<![\w.])(?:{_AGENCY_CODES})(?![\w])(?<!IO(?=-))"
    r"|(?i:(?<!\w)(?:office des [ée]trangers|dienst vreemdelingenzaken|vreemdelingenzaken"
    r"|immigration office|immigration department)(?!\w))"
)
_FILE_NUMBER_ALONE_RE = re.compile(
    r"(?<![\d+\-/.,])(?<!\d[ \u00a0])(?:\d{1,2}(?:[.\u00a0 ]\d{3}){2}|\d{6,8})(?![.,/\-]?\d)"
)
_FILE_GAP_MAX = 45  # characters
_FILE_GAP_WORDS_MAX = 6
_FILE_LABEL_REACH = 20  # characters before a number where its own label stands
_OTHER_REFERENCE = (
    r"(?i:(?<!\w)(?:cce|rvv|cgra|cgvs|arrêt|arret|arrest|judg(?:e)?ments?|jugements?|vonnis"
    r"|ordonnance|beschikking|rôle|rolnummer|art\.|article|artikel|loi|wet|law"
    r"|chambre|kamer|room|cellule|cel|tél|tel|gsm|phone|euros?|eur)(?!\w))"
)
_OTHER_REFERENCE_RE = re.compile(_OTHER_REFERENCE)
_FILE_GAP_BREAK_RE = re.compile(rf"[;!?\n]|\.\s+[A-ZÀ-Þ]|\d{{3}}|[€$]|{_OTHER_REFERENCE}")
# When a number word names the agency's number ("son numéro OE", "het DVZ-nummer", "n°
# de l'OE", "his IO number"), the number it announces may come further on in the same
# sentence, past a semicolon or a colon: "son numéro OE ; l'avocat dit que c'est le
# 3156058". Still no other number or reference in between, and never before the agency.
_NUMBER_WORD = r"n°|nº|nr\.?|no\.|num\.|numéro|numero|nummer|number"
_NUMBER_WORD_BEFORE_AGENCY_RE = re.compile(
    rf"(?i:(?<!\w)(?:{_NUMBER_WORD})(?:[ \u00a0]+(?:de[ \u00a0]+l'|de[ \u00a0]+la|du|de|d'"
    r"|bij[ \u00a0]+de|van[ \u00a0]+de|at[ \u00a0]+the|of[ \u00a0]+the|with[ \u00a0]+the|the))?"
    r"[ \u00a0]*)$"
)
_NUMBER_WORD_AFTER_AGENCY_RE = re.compile(
    rf"(?i:[ \u00a0\-]?(?:{_NUMBER_WORD}|ref\.?|réf\.?|file[ \u00a0]+(?:number|no\.?))(?!\w))"
)
_FILE_SENTENCE_GAP_MAX = 70  # characters
_FILE_SENTENCE_GAP_WORDS_MAX = 10
_FILE_SENTENCE_BREAK_RE = re.compile(rf"[!?\n]|\.\s+[A-ZÀ-Þ]|\d{{3}}|[€$]|{_OTHER_REFERENCE}")
# Further from the agency, the number must also end its clause: "… c'est le 3156058."
# A number followed by a word counts something ("la salle compte 1234567 places").
_FILE_NUMBER_ENDS_CLAUSE_RE = re.compile(r"[ \u00a0]*(?:[.,;:!?)\]»\"'’–—]|$)")
# An amount is never a file number, whatever stands before it: "1.250.000 euros".
_AMOUNT_AFTER_RE = re.compile(r"(?i:[ \u00a0]*(?:[€$]|(?:euros?|eur|usd|dollars?)(?!\w)))")


def _immigration_file_numbers(text: str) -> Iterator[Finding]:
    for match in _FILE_NUMBER_RE.finditer(text):
        if not _AMOUNT_AFTER_RE.match(text, match.end()):
            yield _finding(IMMIGRATION_FILE_NUMBER, text, match.start(), match.end())
    agencies = [(m.start(), m.end(), _number_named(text, m)) for m in _AGENCY_RE.finditer(text)]
    if not agencies:
        return
    for match in _FILE_NUMBER_ALONE_RE.finditer(text):
        # A number with another label of its own ("arrest nr. 245678 … de DVZ") is not
        # the agency's, whatever follows it.
        labelled_otherwise = _OTHER_REFERENCE_RE.search(
            text[max(0, match.start() - _FILE_LABEL_REACH) : match.start()]
        )
        if _AMOUNT_AFTER_RE.match(text, match.end()):
            continue
        ends_clause = _FILE_NUMBER_ENDS_CLAUSE_RE.match(text, match.end())
        if any(
            _file_gap_ok(text, agency_end, match.start())
            or (named and ends_clause and _file_sentence_gap_ok(text, agency_end, match.start()))
            or (not labelled_otherwise and _file_gap_ok(text, match.end(), agency_start))
            for agency_start, agency_end, named in agencies
        ):
            yield _finding(IMMIGRATION_FILE_NUMBER, text, match.start(), match.end())


def _file_gap_ok(text: str, start: int, end: int) -> bool:
    if not 0 <= end - start <= _FILE_GAP_MAX:
        return False
    gap = text[start:end]
    return len(gap.split()) <= _FILE_GAP_WORDS_MAX and not _FILE_GAP_BREAK_RE.search(gap)


def _number_named(text: str, agency: re.Match[str]) -> bool:
    """Whether a number word names this mention's number: "numéro OE", "DVZ-nummer"."""
    before = text[max(0, agency.start() - _FILE_LABEL_REACH) : agency.start()]
    return bool(
        _NUMBER_WORD_BEFORE_AGENCY_RE.search(before)
        or _NUMBER_WORD_AFTER_AGENCY_RE.match(text, agency.end())
    )


def _file_sentence_gap_ok(text: str, start: int, end: int) -> bool:
    if not 0 <= end - start <= _FILE_SENTENCE_GAP_MAX:
        return False
    gap = text[start:end]
    return len(gap.split()) <= _FILE_SENTENCE_GAP_WORDS_MAX and not (
        _FILE_SENTENCE_BREAK_RE.search(gap)
    )


# --- Date of birth ------------------------------------------------------------------

# fmt: off
_MONTH_WORDS = (
    # French, with and without accents, and the usual abbreviations.
    "janvier", "janv", "février", "fevrier", "févr", "fevr", "mars", "avril", "avr",
    "mai", "juin", "juillet", "juil", "août", "aout", "septembre", "sept", "octobre",
    "oct", "novembre", "nov", "décembre", "decembre", "déc", "dec",
    # Dutch.
    "januari", "jan", "februari", "feb", "maart", "mrt", "april", "apr", "mei", "juni",
    "juli", "augustus", "aug", "september", "sep", "oktober", "okt", "november",
    "december",
    # English.
    "january", "february", "march", "mar", "may", "june", "jun", "july", "jul",
    "august", "october",
)
# fmt: on
_MONTH_ALTERNATIVES = "|".join(sorted(set(_MONTH_WORDS), key=lambda m: (-len(m), m)))
_MONTHS = rf"(?:(?:{_MONTH_ALTERNATIVES})\.?)"
_SP = r"[ \u00a0]+"
_DAY = r"(?:1er|1re|\d{1,2}(?:st|nd|rd|th|ste|de|e)?)"
_DATE_RE = re.compile(
    r"(?<![\d.\-/])(?:"
    r"\d{1,2}([./\-])\d{1,2}\1(?:\d{4}|\d{2})"  # 03/04/1991, 3.4.91, 03-04-1991
    r"|\d{4}([./\-])\d{1,2}\2\d{1,2}"  # 1991-04-03, 1991/04/03
    rf"|{_DAY}{_SP}(?:of{_SP})?{_MONTHS},?{_SP}\d{{4}}"  # 3 avril 1991, 3rd of March 1991
    rf"|{_MONTHS}{_SP}{_DAY},?{_SP}\d{{4}}"  # March 3, 1991
    r")(?![\d]|[./\-]\d)",
    re.IGNORECASE,
)

# Words that announce a date of birth, and their abbreviations on forms: "naiss.",
# "DDN" (date de naissance), "né(e)", "geb.", "geb datum", "DOB", "d.o.b.". "°" is the
# Belgian/French shorthand for "born" ("°12/05/1988"), but not inside "n°" nor in "°C".
# "ne le"/"nee le" ("né le" typed without accents) only counts right before a number:
# "ne" is also the French negation.
_BIRTH_CUE_RE = re.compile(
    r"\b(?:née?s?|naissance|naiss\.?|ddn|geboren|geb\.|geb(?=[ \u00a0\-]?dat)"
    r"|geboorte\w*|born|birth\w*|dob|d\.o\.b\.?)(?!\w)"
    r"|\bnee?s?[ \u00a0]+le(?=[ \u00a0]+\d)"
    r"|(?<!\w)°(?![ \u00a0]?[CF]\b)",
    re.IGNORECASE,
)
# Between the cue and the date may stand any words ("née à Kinshasa (RDC) le", "geboren
# volgens zijn paspoort op", "date of birth as declared to the Immigration Office:"),
# within one sentence, unless they tell of another event: "née en Guinée et arrivée le
# 12/05/2019" dates the arrival, not the birth. Another date in between also ends it.
_BIRTH_GAP_MAX = 100  # characters
_DATE_LENGTH_MAX = 30  # "September 23rd, 1991" and then some
# fmt: off
_OTHER_EVENTS = (
    # Arrival, arrest, detention, transfer, visits, hearings, removal, release, decisions,
    # applications, marriage, death, departure: French, Dutch and English stems.
    r"arriv\w*", r"aangekom\w*", r"aankomst\w*", r"arrest\w*", r"arr[êe]t\w*",
    r"interpell?\w*", r"intercept\w*", r"opgepakt", r"d[ée]tenu\w*", r"d[ée]tention",
    r"detentie", r"detained", r"vastgehoud\w*", r"opgesloten", r"plac[ée]e?s?",
    r"placement", r"geplaatst", r"transf[ée]r\w*", r"transfer\w*", r"overgebracht",
    r"overbreng\w*", r"visit\w*", r"bezoek\w*", r"audience\w*", r"zitting\w*",
    r"hearing\w*", r"rapatri\w*", r"expuls\w*", r"[ée]loign\w*", r"verwijder\w*",
    r"deport\w*", r"remov\w*", r"vlucht", r"flight", r"lib[ée]r[ée]\w*", r"libération",
    r"vrijgelaten", r"releas\w*", r"notifi\w*", r"betekend", r"d[ée]cision\w*",
    r"beslis\w*", r"demand\w*", r"aanvraag", r"appli\w*", r"asile", r"asiel",
    r"asylum", r"depuis", r"sinds", r"since", r"jusqu\w*", r"until", r"rendez-vous",
    r"afspraak", r"appointment", r"entretien", r"gesprek", r"interview\w*",
    r"mari[ée]e?s?", r"mariage", r"married", r"getrouwd", r"d[ée]c[ée]d[ée]\w*",
    r"overleden", r"died", r"introdu\w*", r"ingediend", r"lodged", r"filed",
    r"entr[ée]e?s?", r"entered", r"binnengekomen", r"quitt\w*", r"left", r"vertr[eo]k\w*",
    r"d[ée]part\w*", r"sign[ée]e?s?", r"signed", r"ondertekend",
)
# fmt: on
_BIRTH_GAP_BREAK_RE = re.compile(
    r"[;!?\n]|\.[ \u00a0]+(?=[A-ZÀ-Þ])"
    rf"|(?i:(?<!\w)(?:{'|'.join(_OTHER_EVENTS)})(?!\w))"
)


def _dates_of_birth(text: str) -> Iterator[Finding]:
    # Dates are only looked for just after a cue: the month names make the date pattern
    # slow to try at every position of a long text.
    starts = set()
    for cue in _BIRTH_CUE_RE.finditer(text):
        end = min(len(text), cue.end() + _BIRTH_GAP_MAX + _DATE_LENGTH_MAX)
        for match in _DATE_RE.finditer(text, cue.end(), end):
            if match.end() == end < len(text):
                break  # cut by the window: may be part of a longer date
            if _plausible_date(match):
                # The first date after the cue, and only if nothing between them tells
                # of another event: a later date is some other event's.
                if _birth_gap_ok(text, cue.end(), match.start()) and match.start() not in starts:
                    starts.add(match.start())
                    yield _finding(DATE_OF_BIRTH, text, match.start(), match.end())
                break


def _plausible_date(match: re.Match[str]) -> bool:
    """A numeric date needs a day 1-31 and a month 1-12; written months always pass."""
    parts = re.split(r"[./\-]", match.group())
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return True
    day, month = (parts[2], parts[1]) if len(parts[0]) == 4 else (parts[0], parts[1])
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _birth_gap_ok(text: str, start: int, end: int) -> bool:
    return end - start <= _BIRTH_GAP_MAX and not _BIRTH_GAP_BREAK_RE.search(text, start, end)


# --- Phone --------------------------------------------------------------------------

# Fallbacks for what the matcher rejects at VALID leniency: anything written with an
# international prefix (+ or 00) and 8 to 15 digits, and any 8 to 14 digits announced
# by a phone word. Both only apply where the matcher found nothing.
_PHONE_DIGITS = r"\(?\d(?:[ \u00a0./()\-]{0,3}\d){%d,%d}(?!\d)"
_INTERNATIONAL_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+|00)[ \u00a0]?[1-9]" + _PHONE_DIGITS % (6, 13)
)
_CUED_PHONE_RE = re.compile(
    r"(?i:\b(?:t[ée]l[ée]phone|t[ée]l|gsm|portable|mobile|telefoon|telefoonnummer"
    r"|gsm-nummer|whatsapp|phone|tel\.?[ \u00a0]?nr|mobiel)\b\.?[ \u00a0]*:?[ \u00a0]*)"
    r"(?P<number>\+?" + _PHONE_DIGITS % (7, 13) + ")"
)
# "appeler sa tante au …", "joindre l'avocat le …", "bellen op …", "contact the lawyer
# on …": a calling verb, a few words, then "au/op/on/at" and a number that starts as a
# Belgian (0…) or international (+…) one does.
_CALL_PHONE_RE = re.compile(
    r"(?i:(?<!\w)(?:appel\w*|rappel\w*|joindre|joignable|contact\w*|t[ée]l[ée]phon\w*"
    r"|bel(?:len|t|de)?|terugbellen|bereikbaar|call\w*|ring|reach\w*|phone\w*)(?!\w)"
    r"(?:[ \u00a0]+[^\s\d]+){0,6}?[ \u00a0]+(?:au|op|on|at|le|via|sur|naar)[ \u00a0]*:?"
    r"[ \u00a0]*)"
    r"(?P<number>(?:\+|0)" + _PHONE_DIGITS % (7, 12) + ")"
)
# Belgian landlines by their shape alone, allocated or not, as long as they are grouped
# the Belgian way: a one-digit zone (02, 03, 04, 09) then 7 digits, or a two-digit zone
# (010-019, 050-089) then 6 digits: "04 123 45 67", "02/123.45.67", "011 22 33 44".
_SEP = r"(?:[ \u00a0]?[./\-][ \u00a0]?|[ \u00a0])"
_LANDLINE_RE = re.compile(
    r"(?<![\w+])(?<!\d[.\-/])(?:"
    rf"(?:0[2349]|\(0[2349]\)){_SEP}\d{{3}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}"
    rf"|(?:0[2349]|\(0[2349]\)){_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{3}}"
    rf"|(?:0(?:1\d|[5-8]\d)|\(0(?:1\d|[5-8]\d)\)){_SEP}\d{{2}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}"
    rf"|(?:0(?:1\d|[5-8]\d)|\(0(?:1\d|[5-8]\d)\)){_SEP}\d{{3}}{_SEP}?\d{{3}}"
    r")(?![.\-/]?\d)"
)
# The same landlines typed without any separator, "098560131", "025123456": nine digits,
# a zone in use, then a subscriber number (never starting with 0). The matcher finds
# the allocated ones; this finds the others. A number that has a label of its own
# ("ticket n° 012345678", "dossier 025123456") is that thing's, not a phone number.
_UNSPACED_LANDLINE_RE = re.compile(
    r"(?<![\w+])(?<!\d[ \u00a0.\-/])"
    r"(?:0[2349][1-9]\d{6}|0(?:1[0-69]|5\d|6[013-9]|71|8[0-79])[1-9]\d{5})"
    r"(?!\w)(?![.,\-/ \u00a0]\d)"
)
_NOT_A_PHONE_LABEL_RE = re.compile(
    r"(?i:(?<!\w)(?:n°|nº|nr\.?|no\.|num\.|ref\.?|réf\.?|ticket|dossier|file|case|zaak"
    r"|arrêt|arret|arrest|judgment|vonnis|rôle|rolnummer|compte|rekening|account|facture"
    r"|factuur|invoice|colis|pakket|parcel|matricule|écrou|ecrou|badge|série|serie|serial"
    r"|order|commande|bestelling|code|pin)[ \u00a0]*[:#.]?[ \u00a0]*)$"
)
_PHONE_WORD_RE = re.compile(
    r"(?i:(?<!\w)(?:t[ée]l[ée]phone|t[ée]l|gsm|phone|telefoon\w*|mobiel|mobile|portable"
    r"|whatsapp|fax)(?!\w))"
)
_PHONE_LABEL_REACH = 35  # characters


def _labelled_not_a_phone(text: str, start: int) -> bool:
    """Whether the digits at `start` carry another label ("ticket n° 012345678"), and
    no phone word announces them ("tél. n° 098560131")."""
    if not _NOT_A_PHONE_LABEL_RE.search(text, max(0, start - _FILE_LABEL_REACH), start):
        return False
    return not _PHONE_WORD_RE.search(text, max(0, start - _PHONE_LABEL_REACH), start)


# What a date written with a four-digit year looks like: never a phone number.
_DATE_SHAPE_RE = re.compile(r"\d{1,2}([./\-])\d{1,2}\1\d{4}|\d{4}([./\-])\d{1,2}\2\d{1,2}")


def _phones(text: str) -> Iterator[Finding]:
    # VALID: the number must be allocated in its country's plan. POSSIBLE would also
    # read references like "P-2022-0042" as phone numbers.
    matches = phonenumbers.PhoneNumberMatcher(text, "BE", leniency=phonenumbers.Leniency.VALID)
    found = [
        _finding(PHONE, text, m.start, m.end)
        for m in matches
        # The matcher knows the allocated zones, not what the digits are labelled as.
        if not (
            _UNSPACED_LANDLINE_RE.fullmatch(m.raw_string) and _labelled_not_a_phone(text, m.start)
        )
    ]
    yield from found
    fallbacks = (
        (_INTERNATIONAL_PHONE_RE, 0),
        (_CUED_PHONE_RE, "number"),
        (_CALL_PHONE_RE, "number"),
        (_LANDLINE_RE, 0),
        (_UNSPACED_LANDLINE_RE, 0),
    )
    for regex, group in fallbacks:
        for match in regex.finditer(text):
            candidate = _finding(PHONE, text, match.start(group), match.end(group))
            if _DATE_SHAPE_RE.search(candidate.text):
                continue
            if regex is _UNSPACED_LANDLINE_RE and _labelled_not_a_phone(text, match.start()):
                continue
            if not any(_overlaps(candidate, other) for other in found):
                found.append(candidate)
                yield candidate


# --- Known names --------------------------------------------------------------------

# Words that start a multi-part surname: "El Amrani", "Van den Berg", "Ben Salah".
# fmt: off
_SURNAME_PARTICLES = frozenset({
    "abd", "abou", "abu", "al", "ben", "bin", "bint", "da", "das", "de", "del", "della",
    "den", "der", "des", "di", "do", "dos", "du", "el", "la", "le", "ould", "st", "ste",
    "ter", "ten", "van", "vanden", "vander", "von",
})
# fmt: on


def _known_names(text: str, known_names: Iterable[str]) -> Iterator[Finding]:
    regex = _names_regex(tuple(sorted(set(known_names))))
    if regex is None:
        return
    folded, origin = _fold_with_origin(text)
    for match in regex.finditer(folded):
        start = origin[match.start()]
        end = _past_combining_marks(text, origin[match.end() - 1] + 1)
        yield _finding(KNOWN_NAME, text, start, end)


def forget_names() -> None:
    """Drop the compiled name patterns (they hold the names): called when an identity
    changes or is erased."""
    _names_regex.cache_clear()


@functools.lru_cache(maxsize=16)
def _names_regex(known_names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all the variants of all the names, longest first so that at each
    place the longest variant wins; compiled once per set of names. An organisation
    keeps hundreds of case files: one pattern per variant took 100 ms per text at 500
    names (Python's own cache of compiled patterns holds 512)."""
    variants = _name_variants(known_names)
    if not variants:
        return None
    bodies = (r"[\s,\-]+".join(re.escape(token) for token in tokens) for tokens in variants)
    return re.compile(rf"(?<!\w)(?:{'|'.join(bodies)})(?!\w)")


def _fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe: 'Aïcha N’Diaye' -> "aicha n'diaye"."""
    return _fold_with_origin(text)[0]


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """Fold `text` and return, for each folded character, its index in `text`, so that a
    match in the folded text maps back to the original span."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text.replace("\u2019", "'")):
        for part in unicodedata.normalize("NFD", char):
            for folded in part.casefold():
                if not unicodedata.combining(folded):
                    chars.append(folded)
                    origin.append(index)
    return "".join(chars), origin


def _past_combining_marks(text: str, end: int) -> int:
    """Extend a span over accents written as separate combining characters."""
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return end


def _name_variants(known_names: Iterable[str]) -> list[tuple[str, ...]]:
    """Folded token sequences to look for, longest first: the full name, the surname
    then given names (both orders), the surname alone, the given names alone."""
    variants: set[tuple[str, ...]] = set()
    for name in known_names:
        # Initials ("A. Diallo") are dropped: "a" alone would match the French verb.
        tokens = tuple(t for t in (t.strip(".,") for t in _fold(name).split()) if len(t) > 1)
        if not tokens:
            continue
        given, surname = _split_name(tokens)
        variants.update({tokens, surname, surname + given})
        if given:
            variants.add(given)
            variants.update((token,) for token in given)
    # A one-word variant that is also a function word (the surname "Le") would flag every
    # French article; such a person is found by the full name only.
    variants = {v for v in variants if len(v) > 1 or v[0] not in _SURNAME_PARTICLES}
    return sorted(variants, key=lambda v: (-len(" ".join(v)), v))


def _split_name(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(given names, surname). The surname starts at the first particle after the first
    token ("Ibrahima El Amrani"), otherwise it is the last token. A particle is never
    a surname on its own (the French article "le" would match everywhere)."""
    for index in range(1, len(tokens) - 1):
        if tokens[index] in _SURNAME_PARTICLES:
            return tokens[:index], tokens[index:]
    return tokens[:-1], tokens[-1:]


# --- Unknown names ------------------------------------------------------------------

# A name no case file holds is recognised by what stands before it: an honorific
# ("Madame Oksana Petrenko", "M. Okonkwo", "mevrouw De Smet", "Mr Haidari") or a word
# of kinship ("sa sœur Amina", "zijn broer Karim Haidari", "her husband Giorgi"),
# followed by capitalised words. This rule never sees the case files' names: it says
# the same of a word whether or not an organisation holds it (DESIGN.md §3).
_HONORIFIC = (
    r"(?i:madame|monsieur|mademoiselle|mesdames|messieurs|meneer|mijnheer|mevrouw"
    r"|juffrouw|de[ \u00a0]+heer|mister)(?!\w)"
    r"|(?:M|MM|Mme|Mmes|Mlle|Mr|Mrs|Ms|Dhr|Mevr|Mw)\.(?!\w)"
    r"|(?i:dhr|mevr|mw)\.?(?!\w)"
    r"|(?:Mme|Mmes|Mlle|Mr|Mrs|Ms|Miss)(?!\w)"
)
# fmt: off
_KIN_WORDS = (
    # French.
    "sœur", "soeur", "frère", "frere", "mère", "mere", "père", "pere", "épouse", "epouse",
    "époux", "epoux", "mari", "femme", "fils", "fille", "cousin", "cousine", "oncle",
    "tante", "neveu", "nièce", "niece", "compagnon", "compagne", "ami", "amie", "fiancé",
    "fiancée", "enfant", "bébé", "beau-frère", "belle-sœur", "belle-soeur", "beau-père",
    "belle-mère", "grand-mère", "grand-père", "demi-frère", "demi-sœur", "demi-soeur",
    # Dutch.
    "broer", "zus", "zuster", "moeder", "vader", "vrouw", "man", "echtgenote", "echtgenoot",
    "zoon", "dochter", "neef", "nicht", "oom", "partner", "vriend", "vriendin", "verloofde",
    "kind", "baby", "schoonbroer", "schoonzus", "halfbroer", "halfzus", "grootmoeder",
    "grootvader", "oma", "opa",
    # English.
    "brother", "sister", "mother", "father", "wife", "husband", "son", "daughter", "uncle",
    "aunt", "nephew", "friend", "fiance", "fiancee", "child", "girlfriend", "boyfriend",
    "brother-in-law", "sister-in-law", "grandmother", "grandfather", "stepfather",
    "stepmother", "half-brother", "half-sister",
)
# Words that stand between the possessive and the kinship word ("sa petite sœur Awa",
# "zijn jongere broer Ali", "her younger sister Fatou") or, in French, after it ("sa sœur
# aînée Mariam"). Lowercase words: they are never taken for the name.
_KIN_ADJECTIVES_BEFORE = (
    "petit", "petite", "grand", "grande", "jeune", "cadet", "cadette", "aîné", "aînée",
    "aine", "ainee", "défunt", "défunte", "defunt", "defunte", "chère", "chere", "cher",
    "jongere", "oudere", "jonge", "kleine", "grote", "jongste", "oudste", "overleden",
    "lieve", "younger", "older", "elder", "little", "big", "youngest", "eldest", "oldest",
    "baby", "twin", "late", "dear",
)
_KIN_ADJECTIVES_AFTER = (
    "aîné", "aînée", "aine", "ainee", "cadet", "cadette", "jumeau", "jumelle", "benjamin",
    "benjamine", "défunt", "défunte", "defunt", "defunte",
)
_POSSESSIVES = (
    "sa", "son", "ses", "ma", "mon", "mes", "leur", "leurs", "notre", "nos", "votre",
    "zijn", "haar", "hun", "mijn", "onze", "uw", "his", "her", "their", "my", "our", "your",
)
# fmt: on
_KINSHIP = (
    rf"(?i:(?<!\w)(?:{'|'.join(_POSSESSIVES)})[ \u00a0]+"
    rf"(?:(?:{'|'.join(_KIN_ADJECTIVES_BEFORE)})[ \u00a0\-]+)?"
    rf"(?:{'|'.join(sorted(_KIN_WORDS, key=len, reverse=True))})(?!\w)"
    rf"(?:[ \u00a0]+(?:{'|'.join(_KIN_ADJECTIVES_AFTER)})(?!\w))?)"
)
_NAME_TRIGGER_RE = re.compile(rf"(?P<honorific>(?<![\w.])(?:{_HONORIFIC}))|(?P<kin>{_KINSHIP})")
# A word of a name: a capital then letters, apostrophes and hyphens ("N'Diaye",
# "Al-Hassan", "O'Brien"), or an initial ("A."), or a lowercase particle ("el", "van").
_NAME_TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W\d_])?\.?")
_AFTER_HONORIFIC_RE = re.compile(r"[ \u00a0]+")
_AFTER_KIN_RE = re.compile(r"[ \u00a0]*[,:(]?[ \u00a0]*")
# A single letter after a wing or room word is that wing: "aile M. Depuis lundi…".
_PLACE_LETTER_RE = re.compile(
    r"(?i:(?<!\w)(?:aile|bloc|blok|vleugel|wing|section|sectie|unité|unit|afdeling|couloir"
    r"|gang|quartier|secteur|chambre|kamer|room|cellule|cel|zone|niveau|étage|verdieping"
    r"|annexe|bijlage|lettre|letter|groupe|groep|type|catégorie|categorie)[ \u00a0]*)$"
)
_NAME_TOKENS_MAX = 4

# Capitalised words that follow an honorific or a kinship word without being a name:
# titles ("Monsieur le Directeur", "Madame la Juge"), words starting a sentence,
# pronouns, days, months, places of detention.
# fmt: off
_NOT_NAMES_WORDS = """
le la les l' un une des du de d' het een the a an this that ce cet cette ces
il elle ils elles on nous vous je tu hij zij ze wij we jullie ik u he she they it you i
directeur directrice director juge judge rechter consul consule ministre minister
procureur procureure prosecutor avocat avocate advocaat lawyer président présidente
president voorzitter maître meester docteur dokter doctor dr médecin arts commissaire
commissaris inspecteur inspectrice inspector agent agente officer assistant assistante
sociale social psychologue psycholoog infirmier infirmière verpleegkundige secrétaire
secretaris bourgmestre burgemeester mayor chef chief bureau office conseiller
conseillère adviseur raadsheer greffier griffier substitut attaché directeur-général
abbé père pater sister sœur imam aumônier aalmoezenier pasteur dominee rabbin
bonjour bonsoir merci dank thanks hello dear cher chère beste geachte
mais et ou donc or ni car en and or but so maar dus want toch of
pendant après avant depuis selon dans sur sous avec sans pour par chez vers lors
tijdens na voor sinds volgens in op onder met zonder door bij naar over tot
during after before since according in on under with without for by at to from
lundi mardi mercredi jeudi vendredi samedi dimanche maandag dinsdag woensdag donderdag
vrijdag zaterdag zondag monday tuesday wednesday thursday friday saturday sunday
janvier février mars avril mai juin juillet août septembre octobre novembre décembre
januari februari maart april mei juni juli augustus september oktober november december
january february march april may june july august september october november december
oui non ja nee yes no ok aujourd'hui hier demain vandaag gisteren morgen today tomorrow
yesterday est is was a heeft has had n'a n'est ne n' niet not pas
centre centrum center caricole merksplas vottem holsbeek bruges brugge steenokkerzeel
belgique belgië belgium bruxelles brussel brussels anvers antwerpen antwerp liège luik
x y z xx n.n. nn
chairman chairwoman chair speaker madam sir dame heer voir cf note nb suite objet zie see
please voici hier here ici
belgian belg belgische belgisch moroccan marokkaan marokkaanse congolese congolees
afghan afghaanse guinean guinees albanian albanees georgian georgisch ukrainian
oekraïens oekraïense eritrean eritreeër nigerian nigeriaan algerian algerijn tunisian
syrian syriër iraqi iraakse iranian iraanse somali somalisch sudanese soedanees
cameroonian senegalese french dutch nederlands german british english anglais
"""
# fmt: on
_NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())


def _unknown_names(text: str) -> Iterator[Finding]:
    for trigger in _NAME_TRIGGER_RE.finditer(text):
        # "M." alone: not after a wing, room or annex letter ("aile M. Depuis…").
        if (
            trigger.group("honorific")
            and len(trigger.group().rstrip(".")) == 1
            and _PLACE_LETTER_RE.search(text, max(0, trigger.start() - 20), trigger.start())
        ):
            continue
        gap = (_AFTER_HONORIFIC_RE if trigger.group("honorific") else _AFTER_KIN_RE).match(
            text, trigger.end()
        )
        if gap is None or (trigger.group("honorific") and gap.end() == trigger.end()):
            continue
        span = _name_after(text, gap.end())
        if span:
            yield _finding(UNKNOWN_NAME, text, *span)


def _name_after(text: str, position: int) -> tuple[int, int] | None:
    """The span of the capitalised words that start at `position`, or None when what
    stands there is no name (a lowercase word, a title, a single letter, a pronoun)."""
    tokens: list[re.Match[str]] = []
    while len(tokens) < _NAME_TOKENS_MAX:
        token = _NAME_TOKEN_RE.match(text, position)
        if token is None:
            break
        word = token.group().rstrip(".")
        folded = word.casefold()
        is_initial = len(word) == 1 and word.isupper() and token.group().endswith(".")
        is_particle = folded in _SURNAME_PARTICLES
        # A particle may open a surname ("De Smet") when capitalised; an initial ("A.")
        # is no article. Both must be followed by a word of the name (checked below).
        if (
            folded in _NOT_NAMES
            and not is_initial
            and not (is_particle and (tokens or word[0].isupper()))
        ):
            break
        if not (word[0].isupper() or is_particle):
            break
        if len(word) == 1 and not is_initial:
            break
        if token.group().endswith(".") and not is_initial:
            # The full stop ends the sentence, not an abbreviation: keep the word only.
            tokens.append(token)
            break
        tokens.append(token)
        separator = re.match(r"[ \u00a0]+|[ \u00a0]*-[ \u00a0]*", text[token.end() :])
        if separator is None:
            break
        position = token.end() + separator.end()
    # Drop what cannot end a name: particles and initials with nothing after them.
    while tokens and (
        tokens[-1].group().rstrip(".").casefold() in _SURNAME_PARTICLES
        or len(tokens[-1].group().rstrip(".")) == 1
    ):
        tokens.pop()
    if not tokens or tokens[0].group()[0].islower():
        return None
    names = [t for t in tokens if len(t.group().rstrip(".")) > 1]
    if not names or all(t.group().casefold() in _SURNAME_PARTICLES for t in names):
        return None
    return tokens[0].start(), tokens[-1].end() - tokens[-1].group().endswith(".")
