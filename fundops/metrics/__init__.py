"""Metrics: returns, multiples, look-through, leverage and policy indicators."""
