from django.apps import AppConfig


class PeernetConfig(AppConfig):
    name = "peernet"
    verbose_name = "Programme structure and people"

    def ready(self) -> None:
        from peernet import checks  # noqa: F401  (registers the deployment checks)
