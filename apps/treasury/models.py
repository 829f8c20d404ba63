# Donations and donor totals arrive with the chain indexer (TreasuryVault projections).
