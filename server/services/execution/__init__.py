"""Running scripts: child processes, output capture, the engine and its events."""
