from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from move.accounts.adminsite import RoleAdminMixin
from move.centres.models import Centre, CentreYear


class CentreYearInline(RoleAdminMixin, admin.TabularInline):
    permission = "centres.change_centre"
    model = CentreYear
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("centre")


@admin.register(Centre)
class CentreAdmin(RoleAdminMixin, TranslationAdmin):
    permission = "centres.change_centre"
    # Closed (active off), never deleted: visits, case files, lawyers, points of attention
    # and meetings point at it.
    can_delete = False
    list_display = ["code", "name", "kind", "town", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name_fr", "name_nl", "town"]
    inlines = [CentreYearInline]
