"""The help desk's filters written out in Python (legal_listing.request_filters) give the
HTML the template gave (templates/legal/request_list.html before): unfiltered, filtered,
with values that are not offered, and with markup typed in the words, escaped."""

import re

import pytest
from django.http import QueryDict
from django.template import engines
from django.utils import translation

from legal.forms import RequestFilterForm

pytestmark = pytest.mark.django_db

FORMER = """{% with f=form %}
    <div><label for="id_q">{{ f.q.label }}:</label><input type="search" name="q" id="id_q" maxlength="200" value="{{ f.q.value|default_if_none:'' }}" placeholder="H-2026-0042"{% if f.q.errors %} aria-invalid="true" aria-describedby="id_q_error"{% endif %}>{% if f.q.errors %}<ul class="errorlist" id="id_q_error">{% for e in f.q.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}</div>
    {% for field, options in select_fields %}
    <div><label for="{{ field.auto_id }}">{{ field.label }}:</label><select name="{{ field.html_name }}" id="{{ field.auto_id }}"{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.auto_id }}_error"{% endif %}>{{ options }}</select>{% if field.errors %}<ul class="errorlist" id="{{ field.auto_id }}_error">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}</div>
    {% endfor %}
  {% endwith %}"""  # noqa: E501

WRITTEN = "{% load legal_listing %}{% request_filters form select_fields %}"


def between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def both(query: str, every=True):
    form = RequestFilterForm(QueryDict(query), every=every)
    form.is_valid()
    context = {"form": form, "select_fields": form.select_fields()}
    former = engines["django"].from_string(FORMER).render(context)
    written = engines["django"].from_string(WRITTEN).render(context)
    return between_tags(former), between_tags(written)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=recours&status=open",
        "q=H-2026-0042&status=closed&requester_kind=visitor",
        "topic=999999&centre=nope&assignee=0&status=made-up",
        'q=<script>alert("x")</script>%26\'',
    ],
    ids=["unfiltered", "filtered", "a code", "not offered", "markup"],
)
@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_written_filters_are_the_templates(query, language):
    with translation.override(language):
        former, written = both(query)
        assert written == former
        # A visitor's queue has no assignee to choose.
        former, written = both(query, every=False)
        assert written == former


def test_markup_typed_in_the_words_is_escaped():
    _former, written = both("q=<b>bold</b>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in written and "<b>" not in written
    _former, written = both("topic=999999")
    assert 'aria-invalid="true" aria-describedby="id_topic_error"' in written
