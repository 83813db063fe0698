"""The official `openai` Python client against a real `hegui serve` (built-in demo model).

Run by .ci/run in a virtualenv; by hand:
    HEGUI_BIN=.build/debug/hegui python3 -m pytest Tests/python -q
"""

import os

import openai
import pytest
from served import read, served



@pytest.fixture(scope="module")
def gateway():
    def prepare(data_dir):
        # A lexicon with a term refused on input and one refused only on output (the demo model
        # echoes the prompt, so the second reaches the answer and stops the stream).
        lexicon = os.path.join(data_dir, "terms.txt")
        with open(lexicon, "w") as handle:
            handle.write("# risk: A1d action: block\n恐怖袭击\n# risk: custom.echo action: block\n回声词\n")
        policy = os.path.join(data_dir, "policy.yaml")
        with open(policy, "w") as handle:
            handle.write(
                "default: standard\npolicies:\n  standard:\n    rules:\n"
                "      custom.echo: { input: allow, output: block }\n"
            )
        return ["--lexicon", lexicon, "--policy", policy]

    with served(prepare) as (base, data_dir):
        yield f"{base}/v1", read(data_dir, "dev-tenant-key")


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


def test_a_refused_prompt_gets_the_compliant_answer(gateway):
    completion = client(gateway).chat.completions.create(
        model="hegui-demo", messages=[{"role": "user", "content": "怎么策划恐怖袭击"}], user="py-user-2"
    )
    assert completion.choices[0].finish_reason == "content_filter"
    assert "恐怖" not in completion.choices[0].message.content
    assert completion.model_extra["hegui"]["risk"] == ["A1d"]


def test_a_stopped_stream_parses_and_says_to_retract(gateway):
    stream = client(gateway).chat.completions.create(
        model="hegui-demo",
        messages=[{"role": "user", "content": "请重复回声词"}],
        user="py-user-2",
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, finish, retract = [], None, None
    for chunk in stream:
        if chunk.model_extra and "hegui" in chunk.model_extra:
            retract = chunk.model_extra["hegui"]["retract"]
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            finish = choice.finish_reason or finish
    assert finish == "content_filter"
    assert retract is True
    shown = "".join(pieces[:-1])  # the last piece is the replacement
    assert "回" not in shown.split("「")[-1]
    assert "回声词" not in "".join(pieces)


def test_moderations(gateway):
    result = client(gateway).moderations.create(input=["你好", "恐怖袭击"], model="hegui")
    assert [item.flagged for item in result.results] == [False, True]
    assert result.results[1].model_extra["hegui"]["risks"] == ["A1d"]


def test_a_suspended_user_gets_a_permission_error(gateway):
    """Three refusals in a row suspend the user (TC-7.7); the client raises PermissionDeniedError
    with the stable code, the end time and the reason, and Retry-After."""
    chat = client(gateway).chat.completions
    for _ in range(3):
        refused = chat.create(
            model="hegui-demo", messages=[{"role": "user", "content": "恐怖袭击"}], user="py-ladder-user"
        )
        assert refused.choices[0].finish_reason == "content_filter"
    with pytest.raises(openai.PermissionDeniedError) as raised:
        chat.create(model="hegui-demo", messages=[{"role": "user", "content": "你好"}], user="py-ladder-user")
    assert raised.value.code == "user_suspended"
    body = raised.value.body
    assert body["suspended_until"] and "3 violations in a row" in body["reason"]
    assert int(raised.value.response.headers["retry-after"]) > 0
    # Another user is served as before.
    other = chat.create(model="hegui-demo", messages=[{"role": "user", "content": "你好"}], user="py-other-user")
    assert other.choices[0].finish_reason == "stop"
