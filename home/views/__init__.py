"""Public views of the shared base, one module per sub-domain."""
