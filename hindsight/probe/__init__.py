"""The asyncio check engine: runs monitor checks; no Django on the check path."""
