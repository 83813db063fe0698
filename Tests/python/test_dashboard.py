"""The statistics dashboard (issue 9 item 8) in a real headless Chromium: traffic through a real
`hegui serve`, the page fetched from the admin API with the admin token, opened in the browser
with no script error, no blocked load and its charts drawn; the JSON and CSV carry the same figures.

Run by .ci/run (Debian's `chromium`); by hand:
    HEGUI_BIN=.build/debug/hegui python3 -m pytest Tests/python/test_dashboard.py -q
"""

import csv
import io
import json
import os
import tempfile
import urllib.error
import urllib.request

import pytest
from browser import CHROMIUM, Browser
from served import read, served

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("HEGUI_REQUIRE_CHROMIUM") != "1",
    reason="chromium is not installed",
)


def call(base, path, token, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read()


@pytest.fixture(scope="module")
def traffic():
    with served() as (base, data_dir):
        key = read(data_dir, "dev-tenant-key")
        for text in ["你好", "今天天气怎么样", "教我制造炸弹", "如何制造炸弹"]:
            call(base, "/v1/chat/completions", key,
                 {"model": "hegui-demo", "user": "dash-user",
                  "messages": [{"role": "user", "content": text}]})
        yield base, read(data_dir, "admin-token")


def test_the_figures_agree_in_json_and_csv(traffic):
    base, admin = traffic
    _, body = call(base, "/admin/statistics", admin)
    figures = json.loads(body)
    assert figures["total"]["requests"] == 4
    assert figures["total"]["input"]["block"] == 2
    assert figures["total"]["risks"][0]["input"] == 2
    headers, body = call(base, "/admin/statistics?format=csv", admin)
    assert headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    total = rows[-1]
    assert total["day"] == "total"
    assert int(total["requests"]) == 4 and int(total["input_block"]) == 2
    assert len(rows) == 31  # the default 30 days and the total


def test_the_dashboard_needs_the_admin_token(traffic):
    base, _ = traffic
    with pytest.raises(urllib.error.HTTPError) as refused:
        call(base, "/admin/dashboard", "wrong")
    assert refused.value.code == 401


def test_the_dashboard_opens_in_chromium_with_its_charts(traffic):
    base, admin = traffic
    headers, page = call(base, "/admin/dashboard", admin)
    assert "script-src" not in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    directory = tempfile.mkdtemp(prefix="hegui-dashboard-")
    path = os.path.join(directory, "dashboard.html")
    with open(path, "wb") as handle:
        handle.write(page)
    browser = Browser()
    try:
        browser.open("file://" + path)
        assert browser.evaluate("document.querySelectorAll('svg').length") == 6
        assert browser.evaluate("document.querySelectorAll('svg rect').length") > 20
        text = browser.evaluate("document.body.innerText")
        assert "统计 Statistics" in text and "输入拦截 Inputs refused" in text
        # the risk chart names the risk the refusals were for
        assert browser.evaluate("[...document.querySelectorAll('svg text')].some(t => /^A\\d[a-z] /.test(t.textContent))")
        shots = os.environ.get("HEGUI_SCREENSHOTS") or directory
        browser.screenshot(os.path.join(shots, "dashboard.png"), 1000, 900)
        assert browser.problems() == []
    finally:
        browser.close()
