"""The evaluator's pseudonym: the one stable, non-identifying id that participant-level
data leaving for the evaluator carries (rule M4, G3).

"Pseudonym" means only this. What replaces a participant's identifiers when they are
erased is their erased identity (`peernet.privacy.erasure.erased_identity`), which is
a different thing: it is stored on the record, not given out.
`tests/security/test_code_scans.py` fails when a second pseudonym is defined.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac


def evaluator_pseudonym(code: Any) -> str:
    """The participant's one pseudonym for the evaluator, the same in every file and page
    that carries one (the baseline export, the completers list): an HMAC-SHA256 of their
    random public code under a key derived from the deployment's secret. It names nobody
    and cannot be turned back into the participant, so the evaluator can join the files
    on it."""
    digest = salted_hmac("peernet.evaluator-pseudonym", str(code), algorithm="sha256")
    return "P-" + digest.hexdigest()[:16]
