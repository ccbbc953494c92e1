"""Hindsight: a self-hosted incident platform built around the post-mortem."""

__version__ = "0.1.0"
