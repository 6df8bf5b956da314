"""Codes written in a report's texts (a case file's P-2024-0042) become links to what
they name, for those who may open it. The app that keeps those records (detainees)
registers here what its codes look like and where they lead, so that visits never
imports it (DESIGN.md §2).

All the codes of a page are looked up at once: one query per kind of code, whatever
their number. Only records the reader may open (`Model.objects.visible_to(user)`) are
linked; any other code stays plain text, so a link never tells more than the record's
own page would."""

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class CodeLinker:
    pattern: re.Pattern
    model: type  # with a `visible_to(user)` queryset method
    code_field: str
    url_name: str
    url_field: str  # the field the URL carries (a random key, never the pk)
    url_kwarg: str


_linkers: list[CodeLinker] = []


def register_code_linker(
    *, pattern: str, model, code_field: str, url_name: str, url_field: str, url_kwarg: str
) -> None:
    if any(item.model is model and item.code_field == code_field for item in _linkers):
        return
    _linkers.append(
        CodeLinker(re.compile(rf"\b{pattern}\b"), model, code_field, url_name, url_field, url_kwarg)
    )


def links(user, texts) -> dict[str, str]:
    """{code: url} for the codes in `texts` that `user` may open."""
    texts = [text for text in texts if text]
    found: dict[str, str] = {}
    for linker in _linkers:
        codes = {match.group(0) for text in texts for match in linker.pattern.finditer(text)}
        if not codes:
            continue
        rows = (
            linker.model.objects.visible_to(user)
            .filter(**{f"{linker.code_field}__in": codes})
            .values_list(linker.code_field, linker.url_field)
        )
        for code, key in rows:
            found[code] = reverse(linker.url_name, kwargs={linker.url_kwarg: key})
    return found


def linked(text: str, found: dict[str, str], *, paragraphs: bool = False) -> SafeString:
    """`text` escaped, its line breaks kept (<br>, or <p> and <br> with `paragraphs`),
    and each code in `found` made a link."""
    escaped = escape(text)
    if found:
        codes = re.compile(r"\b(" + "|".join(re.escape(code) for code in found) + r")\b")
        escaped = codes.sub(
            lambda match: f'<a href="{escape(found[match.group(1)])}">{match.group(1)}</a>',
            escaped,
        )
    if paragraphs:
        return mark_safe(linebreaks(escaped, autoescape=False))  # noqa: S308 (escaped above)
    return mark_safe(escaped.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308
