from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from move.accounts.forms import VersionedModelForm
from move.accounts.models import User
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits.models import Visit


class VisitForm(VersionedModelForm):
    class Meta:
        model = Visit
        fields = ["centre", "date", "status", "visitors"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.filter(active=True)
        self.fields["visitors"].queryset = User.objects.filter(
            is_active=True,
            memberships__role=Role.VISITOR,
            memberships__organisation__active=True,
        ).distinct()
        self.fields["visitors"].widget.attrs["size"] = 6

    def clean(self):
        cleaned = super().clean()
        day, status = cleaned.get("date"), cleaned.get("status")
        if day and status == Visit.Status.DONE and day > timezone.localdate():
            self.add_error("date", _("A visit in the future cannot be done yet."))
        return cleaned
