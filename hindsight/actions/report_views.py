"""The monthly follow-up report (page and CSV) and each person's reminder preferences."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.permissions import AuthenticatedRequest
from hindsight.actions import report, services
from hindsight.actions.models import ReminderPreference
from hindsight.actions.reminders import DEFAULT


def _month(request: AuthenticatedRequest) -> tuple[report.MonthlyReport | None, str, str]:
    """The report for ?month=YYYY-MM (default: last month), or an error message."""
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    text = request.GET.get("month", "").strip() or f"{last_month:%Y-%m}"
    try:
        month = report.month_of(text)
    except ValueError:
        return None, text, "month must be written YYYY-MM, e.g. 2026-03."
    return report.monthly(month=month, items=services.visible(request.user)), text, ""


def report_page(request: AuthenticatedRequest) -> HttpResponse:
    """Open, overdue, done this month, completion rate and post-mortem debt by team."""
    figures, text, error = _month(request)
    return render(
        request,
        "actions/report.html",
        {"report": figures, "month": text, "error": error},
        status=400 if error else 200,
    )


def report_csv(request: AuthenticatedRequest) -> HttpResponse:
    """The same report as a CSV file."""
    figures, text, error = _month(request)
    if figures is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(report.as_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="action-items-{text}.csv"'
    return response


def preferences(request: AuthenticatedRequest) -> HttpResponse:
    """What reminders the signed-in person gets by email."""
    found = ReminderPreference.objects.filter(user=request.user).first()
    current = found or ReminderPreference(
        user=request.user,
        days_before=DEFAULT.days_before,
        after_due=DEFAULT.after_due,
        weekly_digest=DEFAULT.weekly_digest,
        monthly_report=DEFAULT.monthly_report,
    )
    if request.method == "POST":
        days = request.POST.get("days_before", "").strip()
        if not days.isdigit() or int(days) > 60:
            messages.error(request, "Nothing saved: days before must be a whole number, 0 to 60.")
            return redirect("actions:preferences")
        before = {
            f: getattr(current, f)
            for f in ("days_before", "after_due", "weekly_digest", "monthly_report")
        }
        current.days_before = int(days)
        for name in ("after_due", "weekly_digest", "monthly_report"):
            setattr(current, name, request.POST.get(name) == "on")
        current.save()
        after = {f: getattr(current, f) for f in before}
        audit.record(
            action="reminders.changed",
            target=request.user,
            actor=request.user,
            changes=audit.changed_fields(before, after),
        )
        messages.success(request, "Saved: reminders follow your new choices.")
        return redirect("actions:preferences")
    return render(request, "actions/preferences.html", {"pref": current})
