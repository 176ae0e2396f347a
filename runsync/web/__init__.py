"""`runsync serve`: the small web app that faces the internet (Strava's webhook) — runsync.web.app."""
