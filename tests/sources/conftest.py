"""Fixtures for the connector tests: the fake Strava API, an in-memory keyring, the client secret in the env."""

from tests.strava_fixtures import client_secret, fake, keyring_memory  # noqa: F401 - fixtures
