"""Public pages of customer care, one module per sub-domain."""
