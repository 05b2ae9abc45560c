"""Shared code of the book: data loading and validation, charts, tables, text."""
