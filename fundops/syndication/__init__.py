"""Investment-linked loans (投联贷): term sheets a bank can verify, loans sized against the
round, released with the equity, joint loans, schedules, warrants and risk pools."""
