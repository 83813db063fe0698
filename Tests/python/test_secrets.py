"""Secrets stay secret (issue 11, item 7): a real `hegui serve` logging at trace level, with an
upstream key, an admin token and a PostgreSQL password given to it, is driven through the paths
where a secret could slip out — a wrong tenant key, a wrong admin token, an upstream that rejects
the gateway's key, admin reads of tenants and keys, readiness, metrics, a store that cannot be
reached. No secret appears in any log line, response body or response header, and no response
names the server's version."""

import http.client
import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading

from served import clean_environment, start_serving

BINARY = os.environ.get("HEGUI_BIN", ".build/debug/hegui")
UPSTREAM_KEY = "sk-upstream-secret-5d1f0a9c77e2"
ADMIN_TOKEN = "hg-admin-secret-token-93b1c4e8a0f2"
WRONG_TENANT_KEY = "hg-wrong-key-secret-771fa0"
PG_PASSWORD = "pg-secret-password-2f8e"


class RejectingUpstream(http.server.BaseHTTPRequestHandler):
    """An upstream that lists its models but rejects the gateway's key on every completion."""

    def do_GET(self):
        self.reply(200, {"object": "list", "data": [{"id": "m", "object": "model"}]})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.reply(401, {"error": {"message": f"bad key {self.headers.get('Authorization')}",
                                   "type": "invalid_request_error", "code": "invalid_api_key"}})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def call(port, method, path, body=None, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
    response = connection.getresponse()
    result = response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    connection.close()
    return result


def test_no_secret_in_logs_bodies_or_headers():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RejectingUpstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    data_dir = tempfile.mkdtemp(prefix="hegui-secrets-")
    env = clean_environment(
        HEGUI_UPSTREAM_URL=f"http://127.0.0.1:{upstream.server_address[1]}/v1",
        HEGUI_UPSTREAM_API_KEY=UPSTREAM_KEY,
        HEGUI_ADMIN_TOKEN=ADMIN_TOKEN,
    )
    logs = tempfile.TemporaryFile(mode="w+")
    process, port = start_serving(["--data-dir", data_dir, "--log-level", "trace"], env, stderr=logs)
    answers = []
    try:
        key = open(os.path.join(data_dir, "dev-tenant-key")).read().strip()
        chat = {"model": "m", "user": "alice", "messages": [{"role": "user", "content": "你好"}]}

        answers.append(call(port, "POST", "/v1/chat/completions", chat, token=key))
        assert answers[-1][0] == 502  # the upstream refused the gateway's key: never shown to the app
        answers.append(call(port, "POST", "/v1/chat/completions", dict(chat, stream=True), token=key))
        answers.append(call(port, "POST", "/v1/chat/completions", chat, token=WRONG_TENANT_KEY))
        assert answers[-1][0] == 401
        answers.append(call(port, "GET", "/admin/tenants", token=ADMIN_TOKEN[:-1]))
        assert answers[-1][0] == 401
        answers.append(call(port, "GET", "/admin/tenants", token=ADMIN_TOKEN))
        assert answers[-1][0] == 200
        answers.append(call(port, "GET", "/admin/tenants/dev/keys", token=ADMIN_TOKEN))
        answers.append(call(port, "POST", "/admin/tenants", {"id": "second", "name": "Second"}, token=ADMIN_TOKEN))
        created = answers[-1]
        answers.append(call(port, "GET", "/readyz"))
        answers.append(call(port, "GET", "/metrics"))
        answers.append(call(port, "GET", "/v1/models", token=key))
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        upstream.shutdown()

    # A store URL whose server cannot be reached: the error names no password.
    env["HEGUI_STORE_URL"] = f"postgres://hegui:{PG_PASSWORD}@127.0.0.1:1/hegui"
    failed = subprocess.run([BINARY, "serve", "--port", "0", "--data-dir", data_dir, "--log-level", "trace"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert failed.returncode != 0
    shutil.rmtree(data_dir, ignore_errors=True)

    logs.seek(0)
    written = logs.read() + failed.stdout + failed.stderr
    assert "request completed" in written
    # A new tenant's key is shown once, in the answer that creates it, and nowhere else.
    new_key = json.loads(created[2])["key"]["key"]
    assert created[0] == 201 and new_key
    secrets = [UPSTREAM_KEY, ADMIN_TOKEN, WRONG_TENANT_KEY, PG_PASSWORD, key, new_key]
    for secret in secrets:
        assert secret not in written, f"a secret is in the logs: {secret[:8]}…"
    for status, headers, body in answers:
        shown = body + "\n".join(f"{name}: {value}" for name, value in headers)
        for secret in secrets:
            if (status, headers, body) == created and secret == new_key:
                continue
            assert secret not in shown, f"a secret is in an answer ({status}): {secret[:8]}…"
        server = dict((name.lower(), value) for name, value in headers).get("server", "")
        assert not any(character.isdigit() for character in server), server
