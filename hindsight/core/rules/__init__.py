"""The built-in review rules; importing this package registers them all."""

from hindsight.core.rules import (  # noqa: F401
    acronyms,
    actions,
    consistency,
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
