"""One line of text from a form's errors, for the flash message every app shows."""

from __future__ import annotations

from django import forms


def form_errors(form: forms.BaseForm) -> str:
    """Return the form's errors as one line for a flash message."""
    return "; ".join(
        f"{name}: {error}" if name != "__all__" else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )
