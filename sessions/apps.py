from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    # `sessions` would clash with django.contrib.sessions' label (docs/architecture.md).
    name = "sessions"
    label = "delivery"
    verbose_name = "Delivery: sessions, attendance and one-to-one support"
