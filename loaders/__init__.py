"""Loaders: ways to fill a store (the built-in synthetic Xinqiao scenario, imports)."""
