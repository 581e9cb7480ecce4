"""Exits (退): exit events on holdings, IPO lock-ups and sell-downs, buy-back claims,
escrow releases; later the distribution waterfall and LP-interest transfers.

Exits post their cash through :mod:`fundops.portfolio.ledger_services` and close a
holding by a zero holding valuation at the exit date, so every view (deal metrics,
look-through, policy indicators) reads a closed holding as 0 from that date.
"""
