"""Personal data under UK GDPR: what we hold, for how long, and how it is given back or
erased; and the two ideas every page that shows people's data relies on.

- `registry`: every model holding personal data, its retention and its erasure;
- `subject_access`: everything held about a participant (the JSON export and the PDF);
- `erasure`: a participant's identifiers replaced by their erased identity;
- `retention`: the schedule that deletes and erases what has run out;
- `suppression`: small counts (1 to 4) never shown where they could pick someone out;
- `pseudonyms`: the evaluator's pseudonym, the one id participant-level data leaves with.

Callers use the names below (`from peernet import privacy`; `privacy.erase_participant`).
"""

from peernet.privacy.erasure import (
    ERASED,
    ERASED_DOMAIN,
    ErasedIdentity,
    ErasureRefused,
    erase_participant,
    erased_identity,
    is_erased,
)
from peernet.privacy.pseudonyms import evaluator_pseudonym
from peernet.privacy.registry import (
    NOT_PERSONAL,
    REGISTRY,
    PersonalData,
    Retention,
    entries,
    participant_entries,
)
from peernet.privacy.retention import participants_past_retention, retention_apply
from peernet.privacy.subject_access import (
    LONDON,
    ReadableRecord,
    ReadableSection,
    SubjectAccessSection,
    subject_access_document,
    subject_access_readable,
    subject_access_sections,
)
from peernet.privacy.suppression import (
    SMALL_COUNT,
    SUPPRESSED,
    suppress_breakdown,
    suppress_counts,
    suppress_small,
)

__all__ = [
    "ERASED",
    "ERASED_DOMAIN",
    "LONDON",
    "NOT_PERSONAL",
    "REGISTRY",
    "SMALL_COUNT",
    "SUPPRESSED",
    "ErasedIdentity",
    "ErasureRefused",
    "PersonalData",
    "ReadableRecord",
    "ReadableSection",
    "Retention",
    "SubjectAccessSection",
    "entries",
    "erase_participant",
    "erased_identity",
    "evaluator_pseudonym",
    "is_erased",
    "participant_entries",
    "participants_past_retention",
    "retention_apply",
    "subject_access_document",
    "subject_access_readable",
    "subject_access_sections",
    "suppress_breakdown",
    "suppress_counts",
    "suppress_small",
]
