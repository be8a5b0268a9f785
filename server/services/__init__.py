"""Behaviour of the manager, one service per concern; none of it knows about HTTP."""
