"""The named governance questions, one module each, as plain functions over a store."""
