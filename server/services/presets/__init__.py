"""Parameter presets: example files shipped with a group and each user's saved sets."""
