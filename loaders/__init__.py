"""Loaders: parse source files into the domain model, validate, then write in one transaction."""
