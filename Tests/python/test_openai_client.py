"""The official `openai` Python client against a real `hegui serve` (built-in demo model).

Run by .ci/run in a virtualenv; by hand:
    HEGUI_BIN=.build/debug/hegui python3 -m pytest Tests/python -q
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile

import openai
import pytest

BINARY = os.environ.get("HEGUI_BIN", ".build/debug/hegui")


@pytest.fixture(scope="module")
def gateway():
    data_dir = tempfile.mkdtemp(prefix="hegui-py-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEGUI_")}
    process = subprocess.Popen(
        [BINARY, "serve", "--port", "0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    port = None
    for line in process.stdout:
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if match:
            port = int(match.group(1))
            break
    assert port, "the gateway did not start"
    with open(os.path.join(data_dir, "dev-tenant-key")) as handle:
        key = handle.read().strip()
    yield f"http://127.0.0.1:{port}/v1", key
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    shutil.rmtree(data_dir, ignore_errors=True)


def client(gateway, key=None):
    url, dev_key = gateway
    return openai.OpenAI(base_url=url, api_key=key or dev_key, max_retries=0)


def test_chat_completion(gateway):
    completion = client(gateway).chat.completions.create(
        model="hegui-demo",
        messages=[{"role": "user", "content": "你好，Hegui"}],
        user="py-user-1",
        extra_body={"x_vendor_field": {"kept": True}},
    )
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == "hegui-demo"
    assert completion.choices[0].finish_reason == "stop"
    assert "你好，Hegui" in completion.choices[0].message.content
    assert completion.usage.total_tokens > 0


def test_streaming_matches_the_whole_answer(gateway):
    messages = [{"role": "user", "content": "stream please 流式"}]
    whole = client(gateway).chat.completions.create(model="hegui-demo", messages=messages, user="py-user-1")
    stream = client(gateway).chat.completions.create(
        model="hegui-demo",
        messages=messages,
        user="py-user-1",
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, usage, finish = [], None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            finish = choice.finish_reason or finish
    assert len(pieces) > 5
    assert "".join(pieces) == whole.choices[0].message.content
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens > 0


def test_models(gateway):
    ids = [model.id for model in client(gateway).models.list()]
    assert "hegui-demo" in ids


def test_wrong_key_is_an_authentication_error(gateway):
    with pytest.raises(openai.AuthenticationError) as raised:
        client(gateway, key="wrong").chat.completions.create(
            model="hegui-demo", messages=[{"role": "user", "content": "hi"}], user="u"
        )
    assert raised.value.code == "invalid_api_key"
    assert "API" in raised.value.message


def test_missing_user_is_a_bad_request(gateway):
    with pytest.raises(openai.BadRequestError) as raised:
        client(gateway).chat.completions.create(model="hegui-demo", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.code == "user_required"
    assert raised.value.param == "user"


def test_end_user_in_header(gateway):
    completion = client(gateway).chat.completions.create(
        model="hegui-demo",
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"X-Hegui-User": "header-user"},
    )
    assert completion.choices[0].message.content
