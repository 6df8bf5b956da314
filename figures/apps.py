from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = _("Figures")

    def ready(self):
        from figures import pdf
        from move.accounts import navigation

        # Partners read the published figures: the entry is theirs too.
        navigation.register(
            "figures:index",
            _("Figures"),
            ("figures.view_figures", "figures.view_published_figures"),
            50,
        )
        pdf.register()
