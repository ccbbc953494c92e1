"""Reactions to post-mortem changes: keep their factor tags in step.

The search index needs no receiver (database triggers keep it); factors are
parsed from Markdown in Python, so they follow the post-mortem's save here, in
the same transaction. Saves that bypass signals are caught by the rollup
job's ``reconcile_factors``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from hindsight.insights.factors import refresh_factors
from hindsight.postmortems.models import PostMortem


def _postmortem_saved(sender: Any, instance: PostMortem, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        refresh_factors(postmortem=instance)


def connect() -> None:
    """Connect the receivers (called once from the app's ready())."""
    post_save.connect(_postmortem_saved, sender=PostMortem, dispatch_uid="insights-factors")
