"""Maker-checker approvals and plausibility warnings for ledger and lending posts."""
