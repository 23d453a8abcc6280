from django.apps import AppConfig


class PeernetConfig(AppConfig):
    name = "peernet"
    verbose_name = "Programme structure and people"
