"""Portfolio ledger: funds, investors, commitments, cash flows, valuations, companies."""
