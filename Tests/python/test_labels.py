"""Labels through the official `openai` Python client against a real `hegui serve` (demo model):
the AIGC record on chat answers and streams, and labelled images and speech read back with
`hegui label check --json` (IM-12, LBL-4, LBL-5, GB 45438-2025).
"""

import base64
import json
import os
import subprocess

import openai
import pytest
from served import read, served


@pytest.fixture(scope="module")
def gateway():
    with served() as (base, data_dir):
        yield f"{base}/v1", read(data_dir, "dev-tenant-key"), data_dir


def client(gateway):
    url, key, _ = gateway
    return openai.OpenAI(base_url=url, api_key=key, max_retries=0)


def check(gateway, path):
    """The label report of a file, with the deployment's seal key."""
    result = subprocess.run(
        [os.environ["HEGUI_BIN"], "label", "check", "--json", "--data-dir", gateway[2], path],
        capture_output=True,
        text=True,
    )
    return result.returncode, json.loads(result.stdout)


def test_chat_answers_carry_the_record_and_the_explicit_label(gateway):
    raw = client(gateway).chat.completions.with_raw_response.create(
        model="hegui-demo", messages=[{"role": "user", "content": "你好"}], user="py-label-1"
    )
    record = json.loads(raw.headers["x-aigc"])
    completion = raw.parse()
    assert completion.choices[0].message.content.startswith("本内容由人工智能生成")
    assert completion.model_extra["aigc"] == record
    assert list(record) == [
        "Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2",
    ]
    assert record["Label"] == "1" and record["ProduceID"] == raw.headers["x-request-id"]


def test_a_stream_opens_with_the_record(gateway):
    chunks = list(
        client(gateway).chat.completions.create(
            model="hegui-demo", messages=[{"role": "user", "content": "你好"}], user="py-label-1", stream=True
        )
    )
    assert chunks[0].model_extra["aigc"]["Label"] == "1"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("本内容由人工智能生成（AI-generated）\n\n")


def test_a_generated_image_is_labelled_and_sealed(gateway, tmp_path):
    result = client(gateway).images.generate(
        model="hegui-demo", prompt="一只猫", size="512x384", response_format="b64_json", user="py-label-1"
    )
    path = tmp_path / "cat.png"
    path.write_bytes(base64.b64decode(result.data[0].b64_json))
    status, report = check(gateway, str(path))
    assert status == 0, report
    assert report["valid"] and report["seal"] == "valid" and report["format"] == "png"
    assert report["records"][0]["ProduceID"] == result.data[0].model_extra["aigc"]["ProduceID"]


def test_speech_is_labelled_and_sealed(gateway, tmp_path):
    path = tmp_path / "speech.wav"
    with client(gateway).audio.speech.with_streaming_response.create(
        model="hegui-demo", voice="alloy", input="你好，这是合成语音", response_format="wav", extra_body={"user": "py-label-1"}
    ) as response:
        response.stream_to_file(path)
    status, report = check(gateway, str(path))
    assert status == 0, report
    assert report["valid"] and report["seal"] == "valid" and report["format"] == "wav"


def test_an_unlabellable_speech_format_is_refused(gateway):
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).audio.speech.create(
            model="hegui-demo", voice="alloy", input="你好", response_format="opus", extra_body={"user": "py-label-1"}
        )
    assert caught.value.code == "label_format_unsupported"
