"""Template questions answered by permissions.py."""

from django import template

from move.accounts import permissions

register = template.Library()


@register.filter
def sees_personal_data(user) -> bool:
    return permissions.sees_personal_data(user)
