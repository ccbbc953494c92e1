"""The built-in review rules; importing this package registers them all."""

from hindsight.core.rules import (  # noqa: F401
    acronyms,
    actions,
    disclosure,
    language,
    meta,
    moments,
    rootcause,
    specificity,
    structure,
    summary,
    timeline,
)
