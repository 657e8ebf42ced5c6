"""FastAPI app and the ``govgraph`` command line."""
