"""Several upstreams behind a real `hegui serve` (issue 11 item 2, IM-13): one real demo-model
process and one address where nothing listens. The official `openai` client gets every answer,
/readyz lists both backends, /metrics counts the failovers.

Run by .ci/run; by hand:
    HEGUI_BIN=.build/debug/hegui python3 -m pytest Tests/python/test_upstream_pool.py -q
"""

import json
import os
import socket
import subprocess
import time
import urllib.request

import openai
import pytest
from served import BINARY, read, served


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gateway():
    model_port = free_port()
    dead_port = free_port()  # nothing listens here: connections are refused
    model = subprocess.Popen([BINARY, "demo-model", "--port", str(model_port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{model_port}/v1/models", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

        def prepare(data_dir):
            config = os.path.join(data_dir, "hegui.yaml")
            with open(config, "w") as handle:
                handle.write(
                    "upstream:\n"
                    f"  url: http://127.0.0.1:{dead_port}/v1\n"
                    "  failure_threshold: 2\n"
                    "  open_seconds: 60\n"
                    "  health_check_seconds: 3600\n"
                    "  backends:\n"
                    f"    - {{url: http://127.0.0.1:{model_port}/v1}}\n"
                )
            return ["--config", config]

        with served(prepare) as (base, data_dir):
            yield base, read(data_dir, "dev-tenant-key")
    finally:
        model.terminate()
        model.wait(timeout=10)


def test_every_answer_comes_from_the_live_upstream(gateway):
    base, key = gateway
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0)
    for _ in range(8):
        answer = client.chat.completions.create(
            model="hegui-demo", user="pool-user", messages=[{"role": "user", "content": "你好"}])
        assert answer.choices[0].message.content
    with urllib.request.urlopen(f"{base}/metrics") as response:
        metrics = response.read().decode()
    # The dead backend is skipped after at most `failure_threshold` refusals, or at once once the
    # first health check has found it down.
    failovers = [line for line in metrics.splitlines() if line.startswith("hegui_upstream_failovers_total ")]
    assert failovers and int(float(failovers[0].split()[1])) <= 2
    assert 'hegui_upstream_up{upstream="http://127.0.0.1:' in metrics


def test_readyz_lists_each_backend(gateway):
    base, _ = gateway
    with urllib.request.urlopen(f"{base}/readyz") as response:
        body = json.load(response)
    upstreams = body["checks"]["upstreams"]
    assert len(upstreams) == 2
    assert sorted(upstreams.values()) == ["unhealthy", "up"]
    assert body["status"] == "ready"
