"""Shared web helpers: error answers, one-time form tokens, request guard, security headers,
and the Excel download of every page table (tables.py, figures.py)."""
