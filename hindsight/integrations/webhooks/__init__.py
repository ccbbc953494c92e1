"""Inbound alert webhooks: each source's payload becomes a list of ``Signal``s.

Parsers are pure functions of the decoded JSON (no database), registered in
``PARSERS`` by integration kind; ``hindsight.integrations.services`` turns the
signals into incidents and timeline events in one transaction.
"""
