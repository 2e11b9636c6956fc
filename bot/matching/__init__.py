"""Supplier and peer matching over a directory of organisations, offers and past procurements."""
