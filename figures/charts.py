"""The figures' charts, drawn on the server as SVG by matplotlib (issue 13): no JavaScript,
no CDN, the same picture in the page and in the PDF. Each chart sits beside its table,
which is its accessible alternative; the chart only shows what the table says.

What is drawn is read from the `Table` alone, whatever its key (figures/tables.py): its
rows but the total row, its columns of the first column's kind but the total column, the
suppressed cells left out (and said in the SVG's description). A table of the compared
year is drawn beside it, row for row, in a lighter shade (or a dashed line).

The SVG is made to sit inside a page whose Content-Security-Policy refuses inline styles:
matplotlib's `style` attributes and `<style>` element become presentation attributes;
its ids are prefixed, so that several charts in one page do not share one; it references
nothing outside itself (no DOCTYPE, no metadata, `href` rather than `xlink:href`).

Matplotlib is imported when a chart is drawn, not when Django starts, and through its
object-oriented `Figure` (no pyplot, no global figure manager: safe in threads). Drawing
takes tens of milliseconds, so each SVG is kept in the cache under a hash of everything
drawn: the same data gives the same picture, so a cached chart is never stale."""

import hashlib
import html
import io
import json
import re
import textwrap
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.utils import translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from figures.tables import COUNT, FRACTION, Table

# Changes with the drawing code below, so that a new drawing is not hidden by old ones.
VERSION = 3
CACHE_SECONDS = 30 * 24 * 3600
# The brand's blue and the focus orange of static/css/move.css, then colours that stay
# distinct for the colour-blind (Okabe-Ito).
COLOURS = ("#1d4f73", "#b35900", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000")
WIDTH = 5.0  # inches (360 user units): about a phone's width, so its text stays readable
MOST_SERIES = 4  # columns × years beyond which the other year is left out of the chart
# rcParams read when the SVG is written: text stays text (a small SVG, read by screen
# readers and searchable), ids do not change from one run to the next. Set before each
# drawing, always to the same values, rather than in rc_context, which restores the old
# ones when it ends and so is not safe in threads.
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "move-figures",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 11,
}


def svg(
    table: Table, compare: Table | None = None, *, names: tuple[str, str] | None = None
) -> SafeString:
    """The chart of `table` (empty when it has none or nothing to draw), `compare` drawn
    beside it. `names` name the two in the legend (e.g. the two years)."""
    spec = _spec(table, compare, names)
    if spec is None:
        return mark_safe("")
    key = "figures:chart:" + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    drawn = cache.get(key)
    if drawn is None:
        drawn = _svg_for_html(_draw(spec), spec, prefix=f"chart-{key[-12:]}")
        cache.set(key, drawn, CACHE_SECONDS)
    return mark_safe(drawn)  # noqa: S308 (made here, every label escaped)


def _spec(table: Table, compare: Table | None, names) -> dict | None:
    """Everything that the picture depends on, as plain data: the cache key is its hash."""
    if not table.chart:
        return None
    rows = [(key, label) for key, label in table.rows if key != table.total_row]
    kinds = [kind for key, _label, kind in table.columns if key != table.total_column]
    if not rows or not kinds:
        return None
    columns = [
        (key, label)
        for key, label, kind in table.columns
        if key != table.total_column and kind == kinds[0]
    ]
    this_name, other_name = names or (_("Shown"), _("Compared with"))
    if 2 * len(columns) > MOST_SERIES:
        compare = None  # every column of the table, rather than a few beside the other year
    series = []
    for number, (column, label) in enumerate(columns):
        series.append(_series(table, rows, column, label, number, this_name if compare else ""))
        if compare is not None:
            other = _series_of_compared(compare, rows, column, label, number, other_name)
            if other is not None:
                series.append(other)
    if not any(value for one in series for value in one["values"]):
        return None  # nothing but zeros or blanks: the table says it better
    return {
        "version": VERSION,
        "key": table.key,
        "title": table.title,
        "chart": table.chart,
        "kind": kinds[0],
        "rows": [label for _key, label in rows],
        "series": series,
        "hidden": sum(sum(one["suppressed"]) for one in series),
        "language": translation.get_language() or "",
    }


def _series(table, rows, column, label, number, name, compared=False) -> dict:
    return {
        "label": f"{label} ({name})" if name else label,
        "values": [_value(table, row, column) for row, _label in rows],
        "suppressed": [(row, column) in table.suppressed for row, _label in rows],
        "colour": COLOURS[number % len(COLOURS)],
        "compared": compared,
    }


def _series_of_compared(compare: Table, rows, column, label, number, name) -> dict | None:
    """The compared table's values, matched by row key; rows keyed by period ("2022-Q1"
    against "2021-Q1") are matched by position when no key is shared."""
    if column not in {key for key, _label, _kind in compare.columns}:
        return None
    theirs = [(key, label) for key, label in compare.rows if key != compare.total_row]
    keys = {key for key, _label in theirs}
    if any(row in keys for row, _label in rows):
        matched = [(row if row in keys else None, None) for row, _label in rows]
    elif len(theirs) == len(rows):
        matched = theirs
    else:
        return None
    return _series(compare, matched, column, label, number, name, compared=True)


def _value(table: Table, row, column):
    if row is None or (row, column) in table.suppressed:
        return None
    value = table.value(row, column)
    if isinstance(value, Decimal):
        value = float(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


# --- Drawing ---------------------------------------------------------------------------


def _draw(spec: dict) -> str:
    """matplotlib's SVG of the chart, as it writes it."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(RC)
    horizontal = spec["chart"] == "barh"
    # A label wraps to the room its bar has (about 6.5 units a character at 11 units).
    room = 20 if horizontal else max(6, int(WIDTH * 72 / len(spec["rows"]) / 6.5))
    rows = [textwrap.fill(label, room, break_long_words=False) for label in spec["rows"]]
    lines = max(label.count("\n") + 1 for label in rows)
    if horizontal:  # each row as high as its bars and its label's lines
        bars = 0.2 + 0.12 * len(spec["series"])
        height = 0.9 + len(rows) * max(bars, 0.08 + 0.17 * lines)
    else:
        height = 2.8 + 0.16 * lines
    if len(spec["series"]) > 1:  # the legend's lines, below the axes
        height += 0.2 * len(spec["series"]) / _legend_columns(spec)
    figure = Figure(figsize=(WIDTH, min(height, 9.0)), layout="constrained")
    axes = figure.subplots()
    if spec["chart"] == "line":
        _lines(axes, spec, rows)
    else:
        _bars(axes, spec, rows, horizontal)
    _style_axes(axes, spec, horizontal)
    if len(spec["series"]) > 1:
        figure.legend(
            loc="outside lower center", ncols=_legend_columns(spec), frameon=False, fontsize=10.5
        )
    out = io.StringIO()
    figure.savefig(
        out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    return out.getvalue()


def _legend_columns(spec: dict) -> int:
    """Two columns when two labels fit side by side in WIDTH."""
    return 2 if max(len(one["label"]) for one in spec["series"]) <= 24 else 1


def _bars(axes, spec, rows, horizontal: bool) -> None:
    count = len(spec["series"])
    thickness = 0.8 / count
    positions = range(len(rows))
    labelled = count <= 2 and len(rows) * count <= 24  # a number on each bar, when there is room
    for number, one in enumerate(spec["series"]):
        offsets = [p - 0.4 + thickness * (number + 0.5) for p in positions]
        values = [value if value is not None else float("nan") for value in one["values"]]
        style = {
            "color": one["colour"],
            "alpha": 0.45 if one["compared"] else 1.0,
            "label": one["label"],
            "edgecolor": one["colour"],
            "linewidth": 0.8,
        }
        if horizontal:
            bars = axes.barh(offsets, values, height=thickness, **style)
        else:
            bars = axes.bar(offsets, values, width=thickness, **style)
        if labelled:
            axes.bar_label(
                bars,
                labels=[_number(value, spec["kind"]) for value in one["values"]],
                padding=2,
                fontsize=9.5,
                color="#1b1f24",
            )
        # A dash where a small number is not drawn, as in the table: not a zero.
        for offset, hidden in zip(offsets, one["suppressed"], strict=True):
            if hidden:
                at = {"x": 0, "y": offset, "ha": "left", "va": "center"}
                if not horizontal:
                    at = {"x": offset, "y": 0, "ha": "center", "va": "bottom"}
                axes.text(s="–", fontsize=10, color=one["colour"], **at)
    if horizontal:
        axes.set_yticks(list(positions), rows)
        axes.invert_yaxis()  # the first row on top, as in the table
        axes.margins(x=0.15)
    else:
        axes.set_xticks(list(positions), rows)
        axes.margins(y=0.15)


def _lines(axes, spec, rows) -> None:
    positions = list(range(len(rows)))
    for one in spec["series"]:
        values = [value if value is not None else float("nan") for value in one["values"]]
        axes.plot(
            positions,
            values,
            color=one["colour"],
            linestyle="--" if one["compared"] else "-",
            marker="o",
            markersize=4,
            label=one["label"],
        )
    axes.set_xticks(positions, rows)
    axes.margins(y=0.12)


def _style_axes(axes, spec, horizontal: bool) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    values = axes.xaxis if horizontal else axes.yaxis
    values.set_major_formatter(FuncFormatter(lambda value, _pos: _tick(value, spec["kind"])))
    values.set_major_locator(MaxNLocator(nbins=5, integer=spec["kind"] == COUNT))
    axes.grid(axis="x" if horizontal else "y", color="#c9d1d9", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=11, colors="#1b1f24")
    if spec["kind"] == COUNT:  # counts start from nothing
        if horizontal:
            axes.set_xlim(left=0)
        else:
            axes.set_ylim(bottom=0)


def _number(value, kind: str) -> str:
    """A value as the page writes it, in the active language (figures/views.py)."""
    if value is None or value != value:  # None or NaN: nothing drawn, nothing written
        return ""
    return number(value, kind)


def _tick(value, kind: str) -> str:
    """An axis' tick: 20 %, not 20.0 %."""
    if kind == FRACTION and abs(value * 100 - round(value * 100)) < 1e-9:
        return _("%(number)s%%") % {"number": number(round(value * 100), COUNT)}
    return number(value, COUNT if kind == COUNT or value == round(value) else kind)


def number(value, kind: str) -> str:
    """A count grouped by thousands, a fraction as a percentage with one decimal, any
    other number with one decimal unless it is an int; in the active language's notation.
    Rounded half up
    (Django's number_format cuts a float's decimals: 14.66 would be written 14.6)."""
    if kind == FRACTION:
        return _("%(number)s%%") % {"number": number(value * 100, "number")}
    places = 0 if kind == COUNT or isinstance(value, int) else 1  # 52 weeks, not 52.0
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places, use_l10n=True, force_grouping=True)


# --- From matplotlib's SVG to one that sits in a page ------------------------------------

STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linejoin",
    "stroke-linecap",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "clip-path",
}


def _svg_for_html(drawn: str, spec: dict, prefix: str) -> str:
    svg_text = drawn[drawn.index("<svg") :]
    svg_text = STYLE_ELEMENT.sub("", svg_text)
    svg_text = STYLE_ATTRIBUTE.sub(_attributes, svg_text)
    # Only the ids something refers to are kept, each prefixed: unique in the page.
    referred = set(re.findall(r'(?:url\(#|xlink:href="#)([^)"]+)', svg_text))
    svg_text = re.sub(
        r'\sid="([^"]+)"',
        lambda found: f' id="{prefix}-{found[1]}"' if found[1] in referred else "",
        svg_text,
    )
    svg_text = svg_text.replace("url(#", f"url(#{prefix}-")
    svg_text = re.sub(r'\sxlink:href="#', f' href="#{prefix}-', svg_text)
    svg_text = re.sub(r">\s+<", "><", svg_text)
    svg_text = svg_text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    svg_text = re.sub(r"<defs>\s*</defs>", "", svg_text)
    title, description = _title(spec), _description(spec)
    opening = re.match(r"<svg[^>]*>", svg_text).group(0)
    view_box = re.search(r'viewBox="([^"]*)"', opening).group(1)
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" width="100%" '
        f'class="chart" role="img" aria-label="{html.escape(title)}" '
        f'aria-describedby="{prefix}-desc" focusable="false" '
        f'stroke-linejoin="round" stroke-linecap="butt">'
        f"<title>{html.escape(title)}</title>"
        f'<desc id="{prefix}-desc">{html.escape(description)}</desc>'
    )
    return root + svg_text[len(opening) :].strip()


def _attributes(match: re.Match) -> str:
    """`style="fill: #fff; stroke-width: 0.8"` → `fill="#fff" stroke-width="0.8"`."""
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            attributes.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(attributes)


def _title(spec: dict) -> str:
    return _("Chart: %(title)s") % {"title": spec["title"]}


def _description(spec: dict) -> str:
    text = [_("The table that follows the chart gives its values.")]
    if spec["hidden"]:
        text.append(
            ngettext(
                "%(count)s small number is not drawn, to protect the people counted.",
                "%(count)s small numbers are not drawn, to protect the people counted.",
                spec["hidden"],
            )
            % {"count": spec["hidden"]}
        )
    return " ".join(text)
