"""Placeholder: replaced by the helper that owns this file."""

from django import forms


class DeadlineForm(forms.Form):
    def __init__(self, *args, help_request=None, **kwargs):
        super().__init__(*args, **kwargs)
