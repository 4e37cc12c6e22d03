"""The partnergraph test suite."""
