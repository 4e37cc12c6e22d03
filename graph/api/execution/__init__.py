"""Execution: the one Executor every document runs through, its limits and its error masking."""
