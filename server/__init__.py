"""ScriptsManager: the Flask manager that discovers, documents and runs script groups."""

__version__ = "0.1.0"
