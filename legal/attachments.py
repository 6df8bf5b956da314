"""Placeholder: replaced by the helper that owns this file."""

from django import forms


class AttachmentForm(forms.Form):
    pass
