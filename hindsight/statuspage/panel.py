"""Responder views: post a public update on an incident, schedule maintenance."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hindsight.accounts.permissions import role_required
from hindsight.formerrors import form_errors
from hindsight.incidents.models import Incident
from hindsight.statuspage import content, services
from hindsight.statuspage.forms import MaintenanceForm, UpdateForm
from hindsight.statuspage.models import MaintenanceStatus, ScheduledMaintenance, StatusPage


@require_POST
@role_required("responder")
def post_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a public update for an incident (responders and up)."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    form = UpdateForm(request.POST, incident=incident)
    if not form.is_valid():
        messages.error(request, f"The update was not published: {form_errors(form)}")
        return render(
            request,
            "statuspage/compose.html",
            {"incident": incident, "form": form, "pages": _pages_showing(incident)},
            status=400,
        )
    try:
        services.post_update(
            incident=incident,
            status=form.cleaned_data["status"],
            message=form.cleaned_data["message"],
            components=form.component_changes(),
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.UpdateError as exc:
        messages.error(request, f"The update was not published: {exc}")
    else:
        messages.success(request, "Update published on the status page and sent to subscribers.")
    return redirect("incidents:detail", pk=incident.pk)


@role_required("responder")
def compose(request: HttpRequest, pk: int) -> HttpResponse:
    """The update form on its own page, pre-filled from a template when one is chosen."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    initial: dict[str, str] = {"status": incident.status if incident.is_open else "resolved"}
    chosen = services.TEMPLATES_BY_KEY.get(request.GET.get("template", ""))
    if chosen is not None:
        initial = {
            "status": chosen.status,
            "message": services.template_message(template=chosen.key, incident=incident),
        }
    form = UpdateForm(initial=initial, incident=incident)
    return render(
        request,
        "statuspage/compose.html",
        {"incident": incident, "form": form, "pages": _pages_showing(incident)},
    )


def _pages_showing(incident: Incident) -> list[StatusPage]:
    return [
        p
        for p in StatusPage.objects.all()
        if content.public_incidents(p).filter(pk=incident.pk).exists()
    ]


def pages(request: HttpRequest) -> HttpResponse:
    """Status pages, their subscribers and maintenance, for the team."""
    rows = [
        {
            "page": page,
            "url": content.page_url(page),
            "subscribers": page.subscribers.filter(
                confirmed_at__isnull=False, disabled_at__isnull=True
            ).count(),
            "status": content.overall(content.page_components(page))[1],
        }
        for page in StatusPage.objects.all()
    ]
    windows = ScheduledMaintenance.objects.exclude(
        status=MaintenanceStatus.COMPLETED
    ).select_related("page")
    return render(
        request,
        "statuspage/pages.html",
        {
            "rows": rows,
            "windows": windows,
            "form": MaintenanceForm(),
            "can_schedule": request.user.has_role("responder"),  # type: ignore[union-attr]
            "open_incidents": Incident.objects.visible_to(request.user)
            .open()
            .filter(restricted=False)
            .prefetch_related("status_updates")[:50],
            "now": timezone.now(),
        },
    )


@require_POST
@role_required("responder")
def add_maintenance(request: HttpRequest) -> HttpResponse:
    """Schedule a maintenance window on a page."""
    form = MaintenanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The maintenance was not scheduled: {form_errors(form)}")
        return redirect("statuspage:pages")
    data = form.cleaned_data
    services.schedule_maintenance(
        page=data["page"],
        title=data["title"],
        body=data["body"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        components=list(data["components"]),
    )
    messages.success(request, f"Maintenance {data['title']!r} scheduled.")
    return redirect("statuspage:pages")
