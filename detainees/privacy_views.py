"""Erasing a person on request of the owning organisation (DESIGN.md §4)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from detainees import erasure
from detainees.models import Person
from detainees.views import PersonView


class EraseForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Type the person's code to confirm"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if code != self.person.code:
            raise forms.ValidationError(
                _("This is not the code of this person (%(code)s): nothing was erased.")
                % {"code": self.person.code}
            )
        return code


class PersonErase(PersonView):
    """Shows what an erasure deletes; erases once the person's code is typed."""

    def get(self, request, key):
        return self.render(EraseForm(person=self.person))

    def post(self, request, key):
        form = EraseForm(request.POST, person=self.person)
        if not form.is_valid():
            return self.render(form, status=400)
        code = erasure.erase_person(request.user, self.person, request.path)
        messages.success(
            request, _("%(code)s and everything held on this person were erased.") % {"code": code}
        )
        return redirect("detainees:person-list")

    def render(self, form, status=200):
        held = erasure.held(self.person)
        return self.page("detainees/person_erase.html", status, form=form, held=held)
