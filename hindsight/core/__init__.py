"""Pure post-mortem logic: no Django, no database, no network."""
