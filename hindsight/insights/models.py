"""Insights (search and metrics) read the other domains' tables; no models of its own."""
