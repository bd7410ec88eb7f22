from __future__ import annotations

import base64
import json

import pytest

from automations.body import MAX_BODY_BYTES, read_json_object
from automations.responses import HttpError


def refused(
    body: str | None, is_base64: bool = False, content_type: str | None = "application/json"
) -> HttpError:
    with pytest.raises(HttpError) as caught:
        read_json_object(body, is_base64, content_type)
    return caught.value


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "application/json",
        "Application/JSON; charset=UTF-8",
        "application/json;charset=utf-8",
        "application/vnd.api+json",
    ],
)
def test_json_media_types_are_accepted(content_type: str | None) -> None:
    assert read_json_object('{"name": "a"}', False, content_type) == {"name": "a"}


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json; charset=latin-1",
    ],
)
def test_other_media_types_are_415(content_type: str) -> None:
    error = refused('{"name": "a"}', content_type=content_type)
    assert (error.status, error.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize("body", [None, ""])
def test_no_body_is_invalid_body(body: str | None) -> None:
    assert refused(body).code == "invalid_body"


@pytest.mark.parametrize("body", ["[]", "null", '"name"', "42", "true"])
def test_json_that_is_not_an_object_is_invalid_body(body: str) -> None:
    error = refused(body)
    assert (error.status, error.code) == (400, "invalid_body")


@pytest.mark.parametrize(
    "body",
    [
        "{",
        "{'name': 'a'}",
        '{"name": NaN}',
        '{"x": Infinity}',
        '{"x": -Infinity}',
        '{"x": 1e400}',
        '{"x": ' + "9" * 5000 + "}",
        '{"name": "\\ud800"}',
        '{"\\udfff": 1}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_malformed_json_is_invalid_json(body: str) -> None:
    error = refused(body)
    assert (error.status, error.code, error.error_type) == (400, "invalid_json", "invalid_request_error")
    assert "Traceback" not in error.message


def test_a_surrogate_pair_written_as_escapes_is_one_character() -> None:
    assert read_json_object('{"name": "\\ud83d\\ude00"}', False, None) == {"name": "😀"}


def test_base64_bodies_are_decoded() -> None:
    body = json.dumps({"name": "Ünïcode ✓"}).encode()
    assert read_json_object(base64.b64encode(body).decode(), True, None) == {"name": "Ünïcode ✓"}


def test_base64_that_is_not_utf8_is_invalid_json() -> None:
    error = refused(base64.b64encode(b'{"name": "\xff"}').decode(), is_base64=True)
    assert error.code == "invalid_json"


def test_broken_base64_is_invalid_body() -> None:
    assert refused("not base64!!", is_base64=True).code == "invalid_body"


def padded(size: int) -> str:
    """A JSON object of exactly ``size`` bytes."""
    skeleton = '{"name":"a","description":""}'
    return skeleton[:-2] + "x" * (size - len(skeleton)) + '"}'


@pytest.mark.parametrize("is_base64", [False, True])
def test_exactly_one_mebibyte_is_accepted_and_one_byte_more_is_413(is_base64: bool) -> None:
    def encode(text: str) -> str:
        return base64.b64encode(text.encode()).decode() if is_base64 else text

    assert len(padded(MAX_BODY_BYTES).encode()) == MAX_BODY_BYTES
    assert read_json_object(encode(padded(MAX_BODY_BYTES)), is_base64, None)["name"] == "a"
    error = refused(encode(padded(MAX_BODY_BYTES + 1)), is_base64)
    assert (error.status, error.code) == (413, "payload_too_large")


def test_size_is_counted_in_utf8_bytes_not_characters() -> None:
    # 400,000 three-byte characters: 1.2 MB, although only 400,000 characters.
    body = '{"name":"' + "✓" * 400_000 + '"}'
    assert refused(body).code == "payload_too_large"


def test_a_raw_unpaired_surrogate_in_a_text_body_is_invalid_json() -> None:
    # A text event body is a decoded string: a lone surrogate can arrive as a
    # character, not only as a \u escape, and no client could read it back.
    error = refused('{"name": "a\ud800b"}')
    assert (error.status, error.code) == (400, "invalid_json")
