"""Bengali first: the page's language is the person's choice (the language cookie that
the header's switch sets) or Bengali, never the browser's Accept-Language.

A BSK counter's browser is often set to English by whoever installed it; the citizen
and the operator still work in Bengali until someone switches. The JSON API keeps
Accept-Language, as machine clients expect.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    """The language a person chose (remembered in a cookie), or the site's default."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _name in settings.LANGUAGES}
    return cookie if cookie in supported else settings.LANGUAGE_CODE


class BengaliFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            super().process_request(request)
            return
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
