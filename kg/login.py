"""Logging in to a remote store (``kg push``, ``kg query --endpoint``).

Secrets come from the environment only, never from the command line, where
they would show in the shell's history and in ``ps``: ``KG_PUSH_TOKEN`` for
``--auth bearer``, ``KG_PUSH_USER`` and ``KG_PUSH_PASSWORD`` for ``--auth basic``
and ``--auth digest`` (Virtuoso's Graph Store endpoint asks for digest). The
names say push because push came first; ``kg query --endpoint`` reads the same.
"""
from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING

from kg.errors import KGError

if TYPE_CHECKING:  # httpx is imported when a digest login needs it, not by the CLI's options
    import httpx

TOKEN_ENV = "KG_PUSH_TOKEN"
USER_ENV = "KG_PUSH_USER"
PASSWORD_ENV = "KG_PUSH_PASSWORD"
AUTH_CHOICES = ("none", "basic", "bearer", "digest")


def _user_password(auth: str, env) -> tuple[str, str]:
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if not user or password is None:
        raise KGError(f"--auth {auth} needs {USER_ENV} and {PASSWORD_ENV} in the environment")
    return user, password


def login(auth: str, environ: dict | None = None) -> tuple[dict[str, str], httpx.Auth | None]:
    """(headers to send, httpx auth flow) for ``auth``: none, basic, bearer or digest.

    Basic and bearer are a header on every request; digest answers the
    server's challenge, so it needs a flow that sends the request again."""
    env = os.environ if environ is None else environ
    if auth == "none":
        return {}, None
    if auth == "bearer":
        token = env.get(TOKEN_ENV)
        if not token:
            raise KGError(f"--auth bearer needs the token in the environment variable {TOKEN_ENV}")
        return {"Authorization": f"Bearer {token}"}, None
    if auth == "basic":
        user, password = _user_password(auth, env)
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")}, None
    if auth == "digest":
        import httpx

        return {}, httpx.DigestAuth(*_user_password(auth, env))
    raise KGError(f"unknown --auth {auth!r}; use {', '.join(AUTH_CHOICES)}")
