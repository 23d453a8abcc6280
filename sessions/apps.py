from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    # `sessions` would clash with django.contrib.sessions' label (docs/architecture.md).
    name = "sessions"
    label = "delivery"
    verbose_name = "Delivery: sessions, attendance and one-to-one support"

    def ready(self) -> None:
        # K7, O5 count joining instructions when the mail server accepts them: the
        # receiver lives with the service that queues them.
        from sessions import joining  # noqa: F401
