"""Loaders: parse source files, validate them into the domain model, and write them in one transaction."""
