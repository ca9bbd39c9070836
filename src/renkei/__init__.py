"""Renkei: a hub for Japanese leads and customer data."""

__version__ = "0.1.0"
