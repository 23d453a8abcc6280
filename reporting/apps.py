from django.apps import AppConfig
from django.db.models.signals import post_save


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting and monthly returns"

    def ready(self) -> None:
        # The to-do list kept fresh after every audited write (reporting.freshness).
        from peernet.models import AuditEvent
        from reporting.freshness import audit_event_saved

        post_save.connect(audit_event_saved, sender=AuditEvent, dispatch_uid="findings-fresh")
