"""{% report_panels report as panels %}: what higher apps add to a report's page
(visits/panels.py), asked from the template so that the page's view stays as it is."""

from django import template

from visits import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def report_panels(context, report):
    return panels.report_panels(context["request"], report)
