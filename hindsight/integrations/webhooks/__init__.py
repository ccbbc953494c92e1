"""Inbound alert webhooks: each source's payload becomes a list of ``Signal``s.

Parsers are pure functions of the decoded JSON (no database), registered once
as ``AlertSource``s by integration kind in ``registry.py``; ``hindsight.integrations.services`` turns the
signals into incidents and timeline events in one transaction.
"""
