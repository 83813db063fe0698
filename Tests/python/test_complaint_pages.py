"""The public complaint pages in a real headless Chromium (issue 7), driven over the DevTools
protocol: open the form, submit a complaint, read the ticket number and access code, check the
status; screenshots in Chinese and English at desktop and phone widths.

Run by .ci/run (Debian's `chromium`); by hand:
    HEGUI_BIN=.build/debug/hegui python3 -m pytest Tests/python/test_complaint_pages.py -q
HEGUI_SCREENSHOTS=docs/screenshots keeps the pictures there (the README shows them).
"""

import json
import os
import re
import tempfile
import urllib.request

import pytest
from browser import CHROMIUM, Browser
from served import read, served

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("HEGUI_REQUIRE_CHROMIUM") != "1",
    reason="chromium is not installed",
)


@pytest.fixture(scope="module")
def gateway():
    with served() as (base, data_dir):
        yield base, read(data_dir, "admin-token")


@pytest.fixture()
def browser():
    browser = Browser()
    yield browser
    browser.close()


def fill(browser, selector, value):
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")


def test_the_public_files_a_complaint_and_checks_its_status(gateway, browser):
    base, admin = gateway
    shots = os.environ.get("HEGUI_SCREENSHOTS") or tempfile.mkdtemp(prefix="hegui-shots-")
    os.makedirs(shots, exist_ok=True)

    browser.open(f"{base}/complaints")
    assert "处理流程" in browser.evaluate("document.body.innerText")
    browser.screenshot(os.path.join(shots, "complaints-zh-phone.png"), 390, 844)
    browser.screenshot(os.path.join(shots, "complaints-zh-desktop.png"), 1280, 900)

    # A mistake comes back with a message and keeps what was typed.
    fill(browser, "#category", "illegal_content")
    fill(browser, "#description", "短")
    fill(browser, "#content", "<script>document.title='pwned'</script>")
    browser.submit()
    assert "至少 5 个字" in browser.evaluate("document.body.innerText")
    assert browser.evaluate("document.querySelector('#content').value") == "<script>document.title='pwned'</script>"
    assert "pwned" not in browser.evaluate("document.title")

    fill(browser, "#description", "助手生成了教人诈骗的话术，请处理。")
    fill(browser, "#content", "req_0123456789abcdef")
    browser.submit()
    ticket = browser.wait_for("document.querySelector('#ticket') && document.querySelector('#ticket').innerText")
    code = browser.evaluate("document.querySelector('#access-code').innerText")
    assert re.fullmatch(r"C\d{8}-[0-9A-F]{8}", ticket), ticket
    assert len(code) == 20
    browser.screenshot(os.path.join(shots, "complaint-filed-zh-phone.png"), 390, 844)

    # The officer answers through the admin API.
    request = urllib.request.Request(
        f"{base}/admin/complaints/{ticket}/actions", method="POST",
        data=json.dumps({"action": "resolve", "text": "已删除相关内容并处置账号。"}).encode(),
        headers={"Authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200

    browser.open(f"{base}/complaints/status?lang=en")
    fill(browser, "#ticket", ticket)
    fill(browser, "#code", code)
    browser.submit()
    status = browser.wait_for("document.querySelector('#status') && document.querySelector('#status').innerText")
    assert status == "Resolved"
    assert "已删除相关内容并处置账号。" in browser.evaluate("document.querySelector('#feedback').innerText")
    browser.screenshot(os.path.join(shots, "complaint-status-en-desktop.png"), 1280, 900)

    browser.open(f"{base}/complaints?lang=en")
    assert "What happens next" in browser.evaluate("document.body.innerText")
    browser.screenshot(os.path.join(shots, "complaints-en-phone.png"), 390, 844)
    browser.screenshot(os.path.join(shots, "complaints-en-desktop.png"), 1280, 900)


def test_a_wrong_code_reads_nothing(gateway, browser):
    base, _ = gateway
    browser.open(f"{base}/complaints/status")
    fill(browser, "#ticket", "C20261129-00000000")
    fill(browser, "#code", "AAAAAAAAAAAAAAAAAAAA")
    browser.submit()
    assert "工单号或查询码不正确" in browser.wait_for("document.body.innerText")
