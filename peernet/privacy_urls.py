"""Privacy and audit pages for the national coordinator, /privacy/... (namespace `privacy`)."""

urlpatterns: list = []
