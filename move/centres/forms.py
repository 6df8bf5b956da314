from move.accounts.forms import VersionedModelForm
from move.centres.models import Centre, CentreYear


class CentreForm(VersionedModelForm):
    class Meta:
        model = Centre
        fields = ["code", "name_fr", "name_nl", "kind", "town", "active"]


class CentreYearForm(VersionedModelForm):
    class Meta:
        model = CentreYear
        fields = [
            "year",
            "people_detained",
            "people_detained_source",
            "capacity",
            "capacity_source",
        ]

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        if centre is not None:
            self.instance.centre = centre
