"""The data API, /api/v1/ (docs/api.md): personal API tokens, and JSON endpoints that
read and write through the same access module, services and selectors as the pages."""
