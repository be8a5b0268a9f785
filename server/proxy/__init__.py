"""Reverse proxy from /interfaces/<session>/app/ to a script's loopback port."""
