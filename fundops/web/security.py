"""Security headers on every response (CSP, framing, sniffing, referrer, HSTS, caching).

The pages load scripts and styles only from ``/static`` (no inline ``<script>``,
``<style>``, ``style=`` or ``on…=`` handlers), so the policy allows ``'self'`` only.
HSTS is sent outside development and test (behind TLS). Every answer but a static file
is ``Cache-Control: no-store``: pages and API answers carry tenant data or form tokens.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
RELAXED_ENVS = frozenset({"development", "test"})


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        # Behind ``hops`` proxies: the client address and scheme from X-Forwarded-*
        # (see gunicorn.conf.py); never more hops than there are proxies.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def add_security_headers(response: Response) -> Response:
    """Set the headers unless a view chose its own value."""
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config.get("CONTENT_SECURITY_POLICY", CSP))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if str(config.get("ENV_NAME", "production")) not in RELAXED_ENVS:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response
