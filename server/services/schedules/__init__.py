"""Scheduled runs: schedules kept in the database, fired by the app's one scheduler."""
