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

KINDS = (
    NATIONAL_NUMBER,
    PHONE,
    EMAIL,
    IBAN,
    IMMIGRATION_FILE_NUMBER,
    DATE_OF_BIRTH,
    KNOWN_NAME,
)

_LABELS = {
    NATIONAL_NUMBER: _("national register number"),
    PHONE: _("phone number"),
    EMAIL: _("e-mail address"),
    IBAN: _("bank account number"),
    IMMIGRATION_FILE_NUMBER: _("Immigration Office file number"),
    DATE_OF_BIRTH: _("date of birth"),
    KNOWN_NAME: _("name of a person in a case file"),
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
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: `text == source[start:end]`."""

    kind: str
    start: int
    end: int
    text: str


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
# "OE n° 8.765.432", "numéro OE 8 765 432", "Office des étrangers : 1234567".
# The agency code is case-sensitive (so "sp" inside a word never counts); the words
# around it are not. A leading "n°"/"nr." belongs to the finding.
_FILE_LEAD = r"(?i:(?<!\w)(?:n°|nº|no\.?|nr\.?|num\.|numéro|numero|nummer)[ \u00a0]*)?"
_FILE_AGENCY = (
    r"(?:\b(?:SP|OE|O\.E\.|DVZ|D\.V\.Z\.)"
    r"|(?i:office des étrangers|office des etrangers|dienst vreemdelingenzaken))"
)
_FILE_LABEL = r"(?i:[ \u00a0\-]?(?:nummer|nr\.?|n°|nº|no\.|numéro|numero|number))?"
_FILE_DIGITS = r"(?<!\d)(?:\d{1,2}(?:[.\u00a0 ]\d{3}){2}|\d{6,8})(?![.,]?\d)"
_FILE_NUMBER_RE = re.compile(
    rf"{_FILE_LEAD}{_FILE_AGENCY}{_FILE_LABEL}[ \u00a0]*[:.]?[ \u00a0]*{_FILE_DIGITS}"
)


def _immigration_file_numbers(text: str) -> Iterator[Finding]:
    for match in _FILE_NUMBER_RE.finditer(text):
        yield _finding(IMMIGRATION_FILE_NUMBER, text, match.start(), match.end())


# --- Date of birth ------------------------------------------------------------------

_MONTHS = (
    # French, with and without accents, and the usual abbreviations.
    r"janvier|janv\.?|février|fevrier|févr\.?|fevr\.?|mars|avril|avr\.?|mai|juin"
    r"|juillet|juil\.?|août|aout|septembre|sept\.?|octobre|oct\.?|novembre|nov\.?"
    r"|décembre|decembre|déc\.?|dec\.?"
    # Dutch.
    r"|januari|jan\.?|februari|feb\.?|maart|mrt\.?|april|apr\.?|mei|juni|juli"
    r"|augustus|aug\.?|september|sep\.?|oktober|okt\.?|november|december"
)
_DATE_RE = re.compile(
    r"(?<![\d.\-/])(?:"
    r"\d{1,2}([./\-])\d{1,2}\1(?:\d{4}|\d{2})"  # 03/04/1991, 3.4.91, 03-04-1991
    r"|\d{4}-\d{2}-\d{2}"  # 1991-04-03
    rf"|(?:1er|\d{{1,2}})[ \u00a0]+(?:{_MONTHS})[ \u00a0]+\d{{4}}"  # 3 avril 1991, 1er mai
    r")(?![\d]|[./\-]\d)",
    re.IGNORECASE,
)

# Words that announce a date of birth. "°" is the Belgian/French shorthand for "born"
# ("°12/05/1988"), but not inside "n°". "ne le"/"nee le" ("né le" typed without accents)
# only counts right before a number: "ne" is also the French negation.
_BIRTH_CUE_RE = re.compile(
    r"\b(?:née?s?|date de naissance|date of birth|geboren|geb\.|geboortedatum|born"
    r"|dob|d\.o\.b\.?)(?!\w)"
    r"|\bnee?s?[ \u00a0]+le(?=[ \u00a0]+\d)"
    r"|(?<!\w)°",
    re.IGNORECASE,
)
# What may stand between the cue and the date: "le"/"op"/"on", a place ("née à Kinshasa
# (RDC) le", "geboren te Sint-Niklaas op"), a colon, a qualifier ("date de naissance
# présumée :"). Place words must be capitalised, so that "née en Guinée et arrivée le
# 12/05/2019" does not turn the arrival date into a birth date.
_PLACE_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]*|\([^()\n]{1,25}\)|d[eu]|des|la|l'|den|aan|sur)"
_BIRTH_GAP_RE = re.compile(
    r"(?:\s*\(e\))?"  # né(e)
    r"(?:\s+(?i:présumée?|presumee?|déclarée?|declaree?|supposée?|supposee?))?"
    r"(?:\s*\([^()\n]{0,25}\))?"
    r"\s*[:\-–]?"
    rf"(?:\s+(?i:à|a|au|aux|en|te|in)\s+{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,4}}\s*,?)?"
    r"(?:\s+(?i:le|op|on))?"
    r"\s*[:\-–]?\s*"
)
_BIRTH_GAP_MAX = 80  # characters; only to spare the regex long stretches of text


def _dates_of_birth(text: str) -> Iterator[Finding]:
    cue_ends = [cue.end() for cue in _BIRTH_CUE_RE.finditer(text)]
    for match in _DATE_RE.finditer(text):
        if _plausible_date(match) and _follows_birth_cue(text, match.start(), cue_ends):
            yield _finding(DATE_OF_BIRTH, text, match.start(), match.end())


def _plausible_date(match: re.Match[str]) -> bool:
    """A numeric date needs a day 1-31 and a month 1-12; written months always pass."""
    parts = re.split(r"[./\-]", match.group())
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return True
    day, month = (parts[2], parts[1]) if len(parts[0]) == 4 else (parts[0], parts[1])
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _follows_birth_cue(text: str, date_start: int, cue_ends: list[int]) -> bool:
    return any(
        0 <= date_start - cue_end <= _BIRTH_GAP_MAX
        and _BIRTH_GAP_RE.fullmatch(text, cue_end, date_start)
        for cue_end in cue_ends
    )


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
    r"|gsm-nummer|whatsapp)\b\.?[ \u00a0]*:?[ \u00a0]*)"
    r"(?P<number>\+?" + _PHONE_DIGITS % (7, 13) + ")"
)


def _phones(text: str) -> Iterator[Finding]:
    # VALID: the number must be allocated in its country's plan. POSSIBLE would also
    # read references like "P-2022-0042" as phone numbers.
    matches = phonenumbers.PhoneNumberMatcher(text, "BE", leniency=phonenumbers.Leniency.VALID)
    found = [_finding(PHONE, text, m.start, m.end) for m in matches]
    yield from found
    for regex, group in ((_INTERNATIONAL_PHONE_RE, 0), (_CUED_PHONE_RE, "number")):
        for match in regex.finditer(text):
            candidate = _finding(PHONE, text, match.start(group), match.end(group))
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
