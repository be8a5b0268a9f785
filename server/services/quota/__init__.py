"""Storage quotas: disk use per user, measured and cached, and the limits on it."""
