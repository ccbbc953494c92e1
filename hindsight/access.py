"""Who may do what: the one permission table for pages, API operations and commands.

Roles go anonymous < viewer < responder < editor < admin; each entry names
the least role that may read (GET) and the least that may write (POST/PATCH).
``None`` means the method is not offered there (405). Restricted incidents
are further limited to editors and admins wherever they appear.

``tests/security/test_permission_table.py`` walks every URL pattern, every
API operation and every CLI command: one missing from this table fails the
test, and each entry is checked against real requests for every role — so a
new page cannot be added without deciding who may use it.
"""

from __future__ import annotations

from typing import NamedTuple

ROLES = ("anonymous", "viewer", "responder", "editor", "admin")


class Access(NamedTuple):
    read: str | None
    write: str | None


A, V, R, E, ADMIN = ROLES

# URL pattern name -> least role for GET, least role for POST.
PAGES: dict[str, Access] = {
    "home": Access(V, None),
    "login": Access(A, A),
    "logout": Access(None, V),
    "healthz": Access(A, None),
    # The metrics token or address allow-list is the credential, not a role: off (403) until set.
    "metrics": Access(None, None),
    "incidents:list": Access(V, None),
    "incidents:declare": Access(R, R),
    "incidents:detail": Access(V, None),
    "incidents:add_note": Access(None, R),
    "incidents:change_status": Access(None, R),
    # GET is the confirmation page a notification's acknowledge link opens.
    "incidents:acknowledge": Access(R, R),
    "incidents:change_severity": Access(None, R),
    "incidents:change_commander": Access(None, R),
    "incidents:change_services": Access(None, R),
    "incidents:correct_moment": Access(None, E),
    "incidents:edit_event": Access(E, E),
    "incidents:toggle_event": Access(None, E),
    "chat:import_slack": Access(None, R),
    "chat:import_progress": Access(V, None),
    "integrations:list": Access(V, E),
    "integrations:toggle": Access(None, E),
    # Channels list names and routes only (targets are credentials); editors create and test.
    "integrations:channels": Access(V, E),
    "integrations:send_test": Access(None, E),
    "integrations:receive": Access(None, A),  # the integration's token is the credential
    "postmortems:list": Access(V, None),
    "postmortems:due": Access(V, None),
    "postmortems:workspace": Access(V, None),
    "postmortems:revisions": Access(V, None),
    "postmortems:diff": Access(V, None),
    "postmortems:export": Access(V, None),  # an API token works too
    "postmortems:diagram": Access(V, None),
    # Editors write and publish the customer version; responders approve it as reviewers.
    "postmortems:customer": Access(V, R),
    "postmortems:meeting_ics": Access(V, None),
    "postmortems:meeting": Access(None, E),  # sends the review invite
    "postmortems:review": Access(None, V),  # reviews the posted text, stores nothing
    "postmortems:preview": Access(None, V),  # renders the posted Markdown, stores nothing
    "postmortems:download_mine": Access(None, V),  # hands the posted text back as a file
    "postmortems:start": Access(None, R),  # ask for a post-mortem the policy did not require
    "postmortems:save": Access(None, E),
    "postmortems:autosave": Access(None, E),
    "postmortems:upload": Access(None, E),
    # Responders take part as assigned reviewers (comment, resolve, approve); the workflow's
    # other steps need an editor, refused with the reason on the page.
    "postmortems:transition": Access(None, R),
    "postmortems:add_comment": Access(None, R),
    "postmortems:resolve_comment": Access(None, R),
    "actions:board": Access(V, None),
    "actions:mine": Access(V, None),
    "actions:detail": Access(V, None),
    "actions:bulk": Access(None, R),
    "actions:export_csv": Access(V, None),
    "actions:import_csv": Access(None, R),
    "actions:report": Access(V, None),
    "actions:report_csv": Access(V, None),
    "actions:preferences": Access(V, V),  # one's own reminders
    "actions:track": Access(None, R),
    "actions:settle": Access(None, R),
    "actions:trackers": Access(V, E),
    "actions:tracker_toggle": Access(None, E),
    "actions:tracker_webhook": Access(None, A),  # the tracker's webhook secret is the credential
    "actions:close": Access(None, R),
    "actions:update": Access(None, R),
    "insights:search": Access(V, None),
    "insights:dashboard": Access(V, None),
    "insights:chart": Access(V, None),
    "insights:csv": Access(V, None),
    "insights:report": Access(V, None),
    "insights:report_pdf": Access(V, None),
    "monitors:list": Access(V, None),
    "monitors:create": Access(E, E),
    "monitors:detail": Access(V, None),
    "monitors:edit": Access(E, E),
    "monitors:pause": Access(None, E),
    "monitors:resume": Access(None, E),
    "monitors:add_window": Access(None, E),
    "statuspage:pages": Access(V, None),
    "statuspage:add_maintenance": Access(None, R),
    "statuspage:post_update": Access(None, R),
    "statuspage:compose": Access(R, R),
    # The public status page and its feeds, badge, JSON and sign-up.
    "statuspage:confirm": Access(A, A),
    "statuspage:unsubscribe": Access(A, A),
    "statuspage:default_root_api": Access(A, None),
    "statuspage:default_index": Access(A, None),
    "statuspage:default_incident": Access(A, None),
    "statuspage:default_history": Access(A, None),
    "statuspage:default_history_month": Access(A, None),
    "statuspage:default_atom": Access(A, None),
    "statuspage:default_rss": Access(A, None),
    "statuspage:default_badge": Access(A, None),
    "statuspage:default_calendar": Access(A, None),
    "statuspage:default_subscribe": Access(A, A),
    "statuspage:default_api": Access(A, None),
    "statuspage:index": Access(A, None),
    "statuspage:incident": Access(A, None),
    "statuspage:history": Access(A, None),
    "statuspage:history_month": Access(A, None),
    "statuspage:atom": Access(A, None),
    "statuspage:rss": Access(A, None),
    "statuspage:badge": Access(A, None),
    "statuspage:calendar": Access(A, None),
    "statuspage:subscribe": Access(A, A),
    "statuspage:api": Access(A, None),
    # Everything that leaves Hindsight: dead letters to retry or discard.
    "outbox:list": Access(ADMIN, None),
    "outbox:retry": Access(None, ADMIN),
    "outbox:discard": Access(None, ADMIN),
    # The API's own pages; its operations are in API below.
    "api:openapi-json": Access(V, None),
    "api:openapi-view": Access(V, None),
    "api:api-root": Access(A, None),
    # Django's admin site, every page of it.
    "admin:*": Access(ADMIN, ADMIN),
}

# "METHOD /api/path" (as in the OpenAPI schema) -> least role. Anonymous gets 401.
API: dict[str, str] = {
    "GET /api/incidents/": V,
    "POST /api/incidents/": R,
    "GET /api/incidents/{incident_id}": V,
    "POST /api/incidents/{incident_id}/status": R,
    "POST /api/incidents/{incident_id}/acknowledge": R,
    "GET /api/incidents/{incident_id}/updates": V,
    "POST /api/incidents/{incident_id}/updates": R,
    "POST /api/incidents/{incident_id}/severity": R,
    "POST /api/incidents/{incident_id}/commander": R,
    "POST /api/incidents/{incident_id}/moments": E,
    "GET /api/incidents/{incident_id}/events": V,
    "POST /api/incidents/{incident_id}/events": R,
    "POST /api/incidents/{incident_id}/events/batch": R,
    "PATCH /api/incidents/{incident_id}/events/{event_id}": E,
    "GET /api/monitors/": V,
    "POST /api/monitors/": E,
    "GET /api/monitors/{monitor_id}": V,
    "PATCH /api/monitors/{monitor_id}": E,
    "POST /api/monitors/{monitor_id}/pause": E,
    "POST /api/monitors/{monitor_id}/resume": E,
    "GET /api/monitors/{monitor_id}/flips": V,
    "GET /api/monitors/{monitor_id}/uptime": V,
    "GET /api/postmortems/": V,
    "GET /api/postmortems/{postmortem_id}": V,
    "PUT /api/postmortems/{postmortem_id}": E,
    "GET /api/postmortems/{postmortem_id}/review": V,
    "GET /api/postmortems/{postmortem_id}/factors": V,
    "GET /api/postmortems/{postmortem_id}/revisions": V,
    "GET /api/postmortems/{postmortem_id}/revisions/{version}": V,
    # Submitting, publishing and reopening need an editor; approving, an assigned reviewer
    # (who may be a responder): refused with 403 and the reason otherwise.
    "POST /api/postmortems/{postmortem_id}/transition": E,
    "GET /api/search": V,
    "GET /api/action-items/": V,
    "GET /api/action-items/{item_id}": V,
    "PATCH /api/action-items/{item_id}": R,
    "POST /api/action-items/{item_id}/close": R,
}

# CLI commands run on the server with its configuration and database access:
# whoever can run them is an operator, above every role (what they change is
# recorded as done by the CLI). Listed so a new command is a decision too.
OPERATOR = "operator"
COMMANDS: dict[str, str] = {
    "review": "anyone (plain files, no database)",
    "new": "anyone (plain files, no database)",
    "render": "anyone (plain files, no database)",
    **{
        name: OPERATOR
        for name in (
            "serve",
            "worker",
            "backup",
            "restore",
            "export",
            "users create",
            "users list",
            "users set-role",
            "users set-password",
            "users unlock",
            "tokens create",
            "tokens revoke",
            "tokens list",
            "incidents list",
            "incidents declare",
            "incidents status",
            "incidents severity",
            "incidents commander",
            "incidents note",
            "import slack",
            "statuspage publish",
            "jobs list",
            "jobs run",
            "monitors export",
            "monitors import",
            "insights rollup",
            "insights reindex",
            "actions export",
            "actions import",
        )
    },
}


def allowed(least: str | None, role: str) -> bool:
    """Whether ``role`` reaches ``least`` (False when the method is not offered)."""
    return least is not None and ROLES.index(role) >= ROLES.index(least)
