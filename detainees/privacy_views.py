"""Erasing a person on request of the owning organisation (DESIGN.md §4)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from detainees import erasure
from detainees.models import Person
from move.accounts import permissions


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


class PersonErase(LoginRequiredMixin, View):
    """Shows what an erasure deletes; erases once the person's code is typed."""

    template_name = "detainees/person_erase.html"

    def get_person(self) -> Person:
        user = self.request.user
        person = get_object_or_404(Person.objects.visible_to(user), key=self.kwargs["key"])
        permissions.require_change_person(user, person)
        return person

    def get(self, request, key):
        person = self.get_person()
        return self.render(person, EraseForm(person=person))

    def post(self, request, key):
        person = self.get_person()
        form = EraseForm(request.POST, person=person)
        if not form.is_valid():
            return self.render(person, form, status=400)
        code = erasure.erase_person(request.user, person, request.path)
        messages.success(
            request, _("%(code)s and everything held on this person were erased.") % {"code": code}
        )
        return redirect("detainees:person-list")

    def render(self, person, form, status=200):
        context = {"person": person, "form": form, "held": erasure.held(person)}
        return render(self.request, self.template_name, context, status=status)
