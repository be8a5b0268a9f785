"""The celery execution backend: runs on worker processes or hosts, through Redis."""
