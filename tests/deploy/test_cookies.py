"""Under the production profile the session and CSRF cookies are Secure, HttpOnly and
SameSite=Lax, as a real login over TLS sets them, and the idle limit is an environment
setting (sahayata/people/middleware.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deploy.profile import HOST, manage, production_env

# A login through the real staff form, over https (the proxy's header), in the production
# settings: the cookies as the browser gets them.
LOGIN = f"""
import json
import re
from django.conf import settings
from django.test import Client
from sahayata.people.services import user_create
user_create(username="counter-op", role="auditor", password="a-long-enough-passphrase")
client = Client(enforce_csrf_checks=True, HTTP_HOST="{HOST}", HTTP_X_FORWARDED_PROTO="https",
    HTTP_REFERER="https://{HOST}/accounts/login/")
page = client.get("/accounts/login/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
done = client.post("/accounts/login/", {{"username": "counter-op",
    "password": "a-long-enough-passphrase", "csrfmiddlewaretoken": str(token)}})
cookies = {{name: {{"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
    "samesite": m["samesite"]}} for name, m in client.cookies.items()}}
print(json.dumps({{"status": [page.status_code, done.status_code], "cookies": cookies,
    "idle": settings.SAHAYATA_SESSION_IDLE_SECONDS, "age": settings.SESSION_COOKIE_AGE}}))
"""


def test_production_cookies_are_secure_httponly_and_samesite_lax(tmp_path: Path) -> None:
    # Static files not collected here: the plain storage names them.
    env = production_env(
        tmp_path, SAHAYATA_SESSION_IDLE_SECONDS="900", SAHAYATA_STATIC_COLLECTED="0"
    )
    assert manage(env, "migrate", "--noinput", "-v0").returncode == 0
    result = manage(env, "shell", "-v", "0", "-c", LOGIN)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == [200, 302]
    for name in ("sessionid", "csrftoken"):
        assert answer["cookies"][name] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert (answer["idle"], answer["age"]) == (900, 12 * 3600)
