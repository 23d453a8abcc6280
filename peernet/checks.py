"""System checks for configuration that only matters in production (`check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Limits counted in the cache (the public registration form's) must be shared by
    every process and survive a restart: local memory is neither."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The cache is each process's own memory, so the registration rate limit "
                "resets on restart and differs between web processes.",
                hint="Set CACHE_URL to a Redis database, e.g. redis://host:6379/1.",
                id="peernet.W001",
            )
        ]
    return []
