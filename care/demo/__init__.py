"""Demo content of customer care (registered as demo loaders in ``care.apps``)."""
