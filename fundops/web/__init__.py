"""Shared web helpers: error answers, one-time form tokens, request guard, security headers."""
