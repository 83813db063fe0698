"""The public complaint pages in a real headless Chromium (issue 7), driven over the DevTools
protocol: open the form, submit a complaint, read the ticket number and access code, check the
status; screenshots in Chinese and English at desktop and phone widths.

Run by .ci/run (Debian's `chromium`); by hand:
    HEGUI_BIN=.build/debug/hegui python3 -m pytest Tests/python/test_complaint_pages.py -q
HEGUI_SCREENSHOTS=docs/screenshots keeps the pictures there (the README shows them).
"""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
import websocket
from served import read, served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("HEGUI_REQUIRE_CHROMIUM") != "1",
    reason="chromium is not installed",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gateway():
    with served() as (base, data_dir):
        yield base, read(data_dir, "admin-token")


class Browser:
    """A headless Chromium and one page, over the DevTools protocol."""

    def __init__(self):
        assert CHROMIUM, "HEGUI_REQUIRE_CHROMIUM=1 but chromium is not installed"
        self.profile = tempfile.mkdtemp(prefix="hegui-chromium-")
        port = free_port()
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        targets = None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as response:
                    targets = [t for t in json.load(response) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert targets, "chromium did not start"
        self.socket = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.call("Page.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}: {self.evaluate('document.body.innerText')}")

    def open(self, url):
        self.evaluate("window.__loaded = false")
        self.call("Page.navigate", url=url)
        self.wait_for(f"document.readyState === 'complete' && location.href.startsWith({json.dumps(url.split('?')[0])})")

    def submit(self):
        """Submits the page's form as a person would, by pressing its button."""
        marker = self.evaluate("document.title + performance.timeOrigin")
        self.evaluate("document.querySelector('button[type=submit]').click()")
        self.wait_for(f"document.readyState === 'complete' && (document.title + performance.timeOrigin) !== {json.dumps(marker)}")

    def screenshot(self, path, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
        with open(path, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


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
