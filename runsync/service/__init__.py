"""Running runsync as a service: its own schedule, systemd units, health and metrics."""
