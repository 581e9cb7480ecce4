"""Cross-row validation of a parsed dataset: every check, in order.

Runs after :mod:`fundops.exchange.parse`. The ledger's keys, references and invariants
are checked by :class:`fundops.exchange.checks_ledger.Checker`, then the policy rules,
term sheets, loans and risk pools by :mod:`fundops.exchange.checks_loans`, the exit stage
by :mod:`fundops.exchange.checks_exits` and the LP-interest transfers by
:mod:`fundops.exchange.checks_transfers` and the distribution waterfall by
:mod:`fundops.exchange.checks_waterfalls`, all with the same checker; none of those
imports this module.
"""

from __future__ import annotations

from fundops.exchange.checks_exits import check_exits
from fundops.exchange.checks_ledger import Checker
from fundops.exchange.checks_loans import check_loans
from fundops.exchange.checks_transfers import check_transfers
from fundops.exchange.checks_waterfalls import check_waterfalls
from fundops.exchange.parse import Dataset
from fundops.exchange.problems import Problems


def check_dataset(data: Dataset, problems: Problems) -> None:
    """Run every cross-row check, recording problems."""
    checker = Checker(data, problems)
    checker.index_keys()
    checker.check_refs()
    checker.check_natural_keys()
    checker.check_funds()
    checker.check_commitments()
    checker.check_cash_flows()
    checker.check_allocations()
    checker.check_valuations()
    checker.check_investments()
    check_loans(checker)
    check_exits(checker)
    check_transfers(checker)
    check_waterfalls(checker)
