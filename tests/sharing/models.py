"""A test-only app: one organisation-owned model with a direct-FK guardian
permission model, to test the sharing helpers of permissions.py before the apps
that use them arrive."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from move.accounts import permissions
from move.accounts.permissions import Role


class NoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.owned_or_shared(self, user, {Role.VISITOR}, "view_note")


class Note(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE)
    title = models.CharField(max_length=100)

    objects = NoteQuerySet.as_manager()

    def __str__(self):
        return self.title


class NoteUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Note, on_delete=models.CASCADE)


class NoteGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Note, on_delete=models.CASCADE)
