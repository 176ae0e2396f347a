"""Connectors fetch raw payloads (FIT bytes, Strava JSON) and normalise them into sessions."""
