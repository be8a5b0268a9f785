"""System backups of the data tree: archives, safe extraction, the journaled swap, the service."""
