"""Flask extensions, created unbound and attached by ``init_app`` in the factory."""

from flask_login import LoginManager

from server.security.bearer import SessionCSRF

csrf = SessionCSRF()  # Bearer (API token) requests have no session, hence no CSRF check
login_manager = LoginManager()
