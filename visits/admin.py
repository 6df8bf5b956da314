from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from move.accounts.adminsite import RoleAdminMixin
from visits.models import Theme


@admin.register(Theme)
class ThemeAdmin(RoleAdminMixin, TranslationAdmin):
    permission = "visits.change_theme"
    can_delete = False  # observations will point at themes: switch one off instead
    list_display = ["code", "name", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_fr", "name_nl", "name_en"]
