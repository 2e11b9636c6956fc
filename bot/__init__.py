"""innobroker: a chat assistant for public-procurement innovation brokers."""

__version__ = "0.1.0"
