"""What a browser does with Move's pages, for the load test (locustfile.py) and the
demo's parallel-clients test: read a form as the browser would send it, follow the
report editor's version, and check afterwards that no typed text was lost.

Plain Python (no Django, no locust): imported by both, and tested on its own."""

import re
from html.parser import HTMLParser

VERSION = re.compile(r'<input[^>]*\bname="version"[^>]*\bvalue="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _FormReader(HTMLParser):
    """The name/value pairs a form submits (no buttons), as a browser reads them."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.depth = 0
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: ("" if value is None else value) for name, value in attrs}
        if tag == "form":
            if attrs.get("id") == self.form_id:
                self.inside = True
                self.depth = 0
            elif self.inside:
                self.depth += 1
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
                return
            self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            if self.depth:
                self.depth -= 1
            else:
                self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the newline that follows <textarea>.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options and not self._multiple:
                chosen = [self._options[0][0]]
            self.fields += [(self._select, value) for value in chosen]
            self._select = None


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """The fields of the form `form_id` as the browser would post them (one value a name)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    if not reader.fields:
        raise ValueError(f"no form #{form_id} in the page")
    return dict(reader.fields)


def version_in(html: str) -> int | None:
    """The report version an editor page or an autosave answer carries (the hidden
    input the editor's JS swaps in), or None."""
    found = VERSION.search(html)
    return int(found.group(1)) if found else None


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise ValueError("no CSRF token in the page")
    return found.group(1)


def lost_edits(typed: dict[str, str | list[str]], stored: dict[str, str | None]) -> list[str]:
    """The drafts whose database text is not what their visitor last had saved: `typed`
    maps a report to the last text sent, or to the list of texts that may be in the
    database (the last one the server acknowledged, then those sent after it whose answer
    had not come back when the run stopped); `stored` maps it to the text saved (None: no
    such report). Sorted, so that the check prints the same list every time."""

    def acceptable(text):
        return text if isinstance(text, list) else [text]

    return sorted(
        report for report, text in typed.items() if stored.get(report) not in acceptable(text)
    )
