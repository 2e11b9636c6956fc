"""Importers: each turns one file into a ParsedFile of validated records."""
