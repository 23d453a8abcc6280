#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")
    from django.core.management import execute_from_command_line

    # Commands are the system's own work, across every hub (docs/security.md §3).
    from peernet.scoping import scopes_disabled

    with scopes_disabled():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
