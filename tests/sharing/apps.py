from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "tests.sharing"
    label = "sharing"
