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


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("text/plain; charset=utf-8", "the body must be sent as application/json, not text/plain"),
        ("; charset=utf-8", "the body must be sent as application/json, not an empty media type"),
        ("application/json; charset=latin-1", "the body must be sent as application/json in UTF-8, not charset latin-1"),
        ('application/json; charset="UTF-16"', "the body must be sent as application/json in UTF-8, not charset utf-16"),
        ("x/" + "y" * 5000, "the body must be sent as application/json, not x/" + "y" * 62),
    ],
)  # fmt: skip
def test_a_415_says_what_was_sent_and_what_is_wanted(content_type: str, message: str) -> None:
    assert refused('{"name": "a"}', content_type=content_type).message == message


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{", "a key in double quotes was expected (line 1, column 2)"),
        ('{"a" 1}', "a ':' was expected (line 1, column 6)"),
        ('{"a": 1 "b": 2}', "a ',' was expected (line 1, column 9)"),
        ('{"a": }', "a value was expected (line 1, column 7)"),
        ('{"a": "b', "a string is not terminated (line 1, column 7)"),
        ('{"a": "\x01"}'.replace("\\x01", "\x01"), "a string holds a control character that is not escaped (line 1, column 8)"),
        ('{"a": "\\q"}', "a string holds an invalid escape (line 1, column 8)"),
        ('{"a": "\\u12"}', "a string holds an invalid \\u escape (line 1, column 9)"),
        ('{"a": 1} x', "more text follows the JSON value (line 1, column 10)"),
        ('\ufeff{"a": 1}', "the body starts with a byte order mark; send UTF-8 without one (line 1, column 1)"),
        ("{'name': 'a'}", "a key in double quotes was expected (line 1, column 2)"),
    ],
)  # fmt: skip
def test_a_parse_error_is_told_in_this_apis_words_on_every_python(body: str, problem: str) -> None:
    # The same text on Python 3.11 and 3.13, and none of the parser's own wording
    assert refused(body).message == f"the body is not valid JSON: {problem}"


@pytest.mark.parametrize("body", ['{"a": 1,}', "[1,]"])
def test_a_trailing_comma_is_invalid_json_whatever_the_python_calls_it(body: str) -> None:
    message = refused(body).message
    assert message.startswith("the body is not valid JSON: a ")
    assert "Expecting" not in message and "Illegal" not in message


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


@pytest.mark.parametrize("suffix", ["=", "===", "===="])
def test_base64_with_surplus_padding_is_invalid_body(suffix: str) -> None:
    # Given the canonical base64 of a valid body, with padding it does not need
    canonical = base64.b64encode(b'{"name":"x"}').decode()
    assert read_json_object(canonical, True, None) == {"name": "x"}
    # When it is read, Then it is refused rather than decoded by guesswork
    assert refused(canonical + suffix, is_base64=True).code == "invalid_body"


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


def test_an_oversized_text_body_is_413_even_with_a_lone_surrogate() -> None:
    # Size comes before the body's own limits (contract, "Hard limits"): 413 whatever it holds.
    error = refused('{"name": "a\ud800' + "x" * MAX_BODY_BYTES + '"}')
    assert (error.status, error.code) == (413, "payload_too_large")


# Hard limits (contract, "Hard limits, every route, before anything else").


def nested(depth: int, inner: str = "1") -> str:
    """``{"name": "a", "v": [[...[inner]...]]}``: the object is level 1, so ``depth``
    levels in all."""
    return '{"name": "a", "v": ' + "[" * (depth - 1) + inner + "]" * (depth - 1) + "}"


def test_sixty_four_levels_are_read_and_sixty_five_are_invalid_json() -> None:
    assert read_json_object(nested(64), False, None)["name"] == "a"
    error = refused(nested(65))
    assert (error.status, error.code) == (400, "invalid_json")
    assert "64 levels" in error.message


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"name": "' + "[{" * 500 + '\\"[[[", "k": ["\\\\", "{{{{"]}'
    assert read_json_object(text, False, None)["k"] == ["\\", "{{{{"]


def test_nesting_is_decided_before_the_json_is_parsed() -> None:
    # Too deep and not JSON either: the depth is what is reported, so the parser
    # never saw the text.
    error = refused(nested(65, inner="NaN") + "garbage")
    assert "64 levels" in error.message


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "' + '\\"' * 300_000,  # unterminated string of escaped quotes
        '{"name": "' + '\\"' * 300_000 + "\\",  # and a lone backslash at the end
        '"' * 900_000,
        "{" * 900_000,
    ],
    ids=["escaped-quotes", "trailing-backslash", "quotes", "braces"],
)
def test_pathological_texts_are_refused_as_invalid_json(body: str) -> None:
    # Each would take quadratic time (or recurse) in a naive scan; here each is one
    # linear pass (the suite's time shows it: this test takes milliseconds).
    assert refused(body).code == "invalid_json"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_bytes_in_other_unicode_encodings_are_invalid_json(encoding: str) -> None:
    # json.loads would guess these from the first bytes and accept them; nothing guesses here.
    raw = json.dumps({"name": "a"}).encode(encoding)
    assert json.loads(raw) == {"name": "a"}  # what a guess would do
    error = refused(base64.b64encode(raw).decode(), is_base64=True)
    assert (error.status, error.code) == (400, "invalid_json")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 (CESU-8)
        b'{"name": "\xc0\xaf"}',  # an overlong encoding of "/"
        b'{"name": "\xf4\x90\x80\x80"}',  # past U+10FFFF
        b'{"name": "a\x80"}',  # a lone continuation byte
        b'{"name": "\xe2\x82"}',  # a truncated sequence
    ],
    ids=["encoded-surrogate", "overlong", "beyond-unicode", "continuation", "truncated"],
)
def test_invalid_utf8_sequences_are_invalid_json(raw: bytes) -> None:
    error = refused(base64.b64encode(raw).decode(), is_base64=True)
    assert (error.status, error.code) == (400, "invalid_json")


def test_a_lone_surrogate_escape_deep_inside_is_found() -> None:
    error = refused(nested(60, inner='{"\\udc00": 1}'))
    assert error.message == "the body contains an unpaired UTF-16 surrogate escape"


@pytest.mark.parametrize(
    "number",
    ["1e400", "-1e400", "1" + "0" * 309, "-" + "9" * 309, "9" * 400, "1" + "0" * 400 + ".5"],
    ids=["1e400", "-1e400", "10**309", "-(10**309 - 1)", "400-digits", "long-float"],
)
def test_numbers_that_overflow_a_double_are_invalid_json(number: str) -> None:
    error = refused('{"name": "a", "v": ' + number + "}")
    assert (error.status, error.code) == (400, "invalid_json")
    assert "overflows a double" in error.message


def test_the_largest_numbers_a_double_holds_are_kept() -> None:
    largest = int(1.7976931348623157e308)  # 309 digits
    text = f'{{"name": "a", "i": {largest}, "n": -{largest}, "f": 1.7976931348623157e308, "t": 1e-400}}'
    assert read_json_object(text, False, None) | {"name": None} == {
        "name": None, "i": largest, "n": -largest, "f": 1.7976931348623157e308, "t": 0.0
    }  # fmt: skip
