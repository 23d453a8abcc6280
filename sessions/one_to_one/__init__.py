"""One-to-one support (O1–O8): its reads (`selectors.py`), writes (`services.py`), forms
and pages (`views.py`, the provider's /one-to-one/ area and the hub's one-to-one pages)."""
