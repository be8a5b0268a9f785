"""Roles, access rules and HTTP security headers."""
