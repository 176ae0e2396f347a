"""Built-in rule plugins for runsync, installed as the `runsync_plugins` package."""
