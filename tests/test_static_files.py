"""Static files: WhiteNoise's look at the files is made once a process for each way it is set up
(core.middleware.StaticFilesMiddleware), and what it serves is the same as a fresh look gives."""

from typing import Any

import pytest
from django.test import Client
from whitenoise.base import WhiteNoise

from core.middleware import StaticFilesMiddleware


@pytest.fixture
def looks(monkeypatch) -> list[str]:
    """The files WhiteNoise reads from the disk, one entry a file, from now on."""
    seen: list[str] = []
    original = WhiteNoise.get_static_file

    def counted(self: Any, path: str, url: str, stat_cache: Any = None) -> Any:
        seen.append(url)
        return original(self, path, url, stat_cache=stat_cache)

    monkeypatch.setattr(WhiteNoise, "get_static_file", counted)
    monkeypatch.setattr(StaticFilesMiddleware, "_found", {})
    return seen


def test_a_second_middleware_made_the_same_way_reads_no_file_and_serves_the_same(looks) -> None:
    first = StaticFilesMiddleware(lambda request: None)
    assert "/static/css/app.css" in looks
    read = len(looks)
    second = StaticFilesMiddleware(lambda request: None)
    assert len(looks) == read, "the second middleware read the files again"
    assert second.files.keys() == first.files.keys()
    assert second.files["/static/css/app.css"] is first.files["/static/css/app.css"]


def test_each_test_client_serves_a_static_file_with_its_headers_after_one_look(looks) -> None:
    responses = [Client().get("/static/css/app.css") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert {r["Cache-Control"] for r in responses} == {"max-age=60, public"}
    assert looks.count("/static/css/app.css") == 1


def test_a_different_setting_looks_again_and_its_headers_follow_it(looks, settings) -> None:
    StaticFilesMiddleware(lambda request: None)
    settings.WHITENOISE_MAX_AGE = 600
    response = Client().get("/static/css/app.css")
    assert response["Cache-Control"] == "max-age=600, public"
    assert looks.count("/static/css/app.css") == 2


def test_with_autorefresh_nothing_is_kept_and_a_file_is_found_on_request(looks, settings) -> None:
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert StaticFilesMiddleware._found == {}
