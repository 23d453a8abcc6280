"""docs/security.md §13: a password that is easy to guess is refused, whatever it is made of.

Django's own validators refuse the 20,000 commonest passwords exactly as written. People
dress those up (`Passw0rd2024!`, `Welcome12345`) or type a run of one key (`aaaaaaaaaaaa`,
`abcdefghijkl`). zxcvbn (Dropbox's estimator, maintained for Python as `zxcvbn`) ships its
lists with the package: passwords from public breaches, English words, names and
surnames, and recognises repeats, sequences, keyboard walks, dates and l33t spellings of
any of them. It estimates how many guesses a password would take; below `MIN_SCORE` it is
refused with zxcvbn's own reason. Nothing leaves the machine, and there are still no
composition rules: a long phrase of ordinary words passes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's scores: 0-1 fall to an online attack, 2 to an offline one against a slow hash
# within hours; 3 ("safely unguessable: moderate protection from offline slow-hash") is
# the least we accept.
MIN_SCORE = 3
# zxcvbn's time grows with the length; past this much, the rest adds nothing it can judge.
# zxcvbn 4.5 refuses (ValueError) anything longer than 72 characters, its own maximum.
JUDGED_LENGTH = 72


class GuessablePasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        hints = [getattr(user, name, "") or "" for name in ("email", "name")]
        hints += [part for hint in hints for part in hint.replace("@", " ").split()]
        result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=[h for h in hints if h])
        if result["score"] >= MIN_SCORE:
            return
        reason = result["feedback"]["warning"] or "It follows a pattern that is easy to guess."
        raise ValidationError(
            f"This password is too easy to guess. {reason}".strip(),
            code="password_guessable",
        )

    def get_help_text(self) -> str:
        return (
            "Your password must not be easy to guess: avoid repeated or sequential "
            "characters, keyboard patterns, dates and well-known passwords, however spelt."
        )
