"""Privacy and audit pages, /privacy/... (namespace `privacy`): the national coordinator's
audit trail, breach register and registry; subject access and erasure of a participant
for the coordinator and that participant's hub administrators (peernet/privacy_views.py)."""

from django.urls import path

from peernet import privacy_views as views

urlpatterns = [
    path("", views.home, name="home"),
    path("registry/", views.registry, name="registry"),
    path("audit/", views.audit_trail, name="audit"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/new/", views.breach_new, name="breach-new"),
    path("breaches/<uuid:reference>/", views.breach, name="breach"),
    path("participants/<uuid:code>/", views.participant, name="participant"),
    path("participants/<uuid:code>/export.json", views.export_json, name="export-json"),
    path("participants/<uuid:code>/export.pdf", views.export_pdf, name="export-pdf"),
    path("participants/<uuid:code>/erase/", views.erase, name="erase"),
]
