"""Load benchmark of ``innobroker serve``: signed Slack mentions and Teams activities at a fixed rate, on loopback."""
