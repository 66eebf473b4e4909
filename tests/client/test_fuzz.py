"""Property tests: the response parser only ever raises its typed errors, and escaped query
literals read back unchanged in the simulator's readByQuery parser."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytest_intacct.client import IntacctError
from pytest_intacct.client import functions as fn
from pytest_intacct.client.response import parse_response
from pytest_intacct.simulator import queries
from tests.helpers import answers

FUZZ = settings(max_examples=300, deadline=None)

# Fragments of real answers, so the generator reaches deep into the parser, not only its first check.
FRAGMENTS = [
    b'<?xml version="1.0" encoding="UTF-8"?>',
    b"<response>",
    b"</response>",
    b"<control><status>success</status></control>",
    b"<control><status>failure</status></control>",
    b"<operation>",
    b"</operation>",
    b"<authentication><status>success</status></authentication>",
    b"<result><status>success</status><function>readByQuery</function><controlid>c</controlid>",
    b'<data count="x" numremaining="-1" resultId="">',
    b"</data></result>",
    b"<errormessage><error><errorno>GW-0010</errorno></error></errormessage>",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"&e;",
    b"<html><title>",
    b"\x00\xff\xfe",
    b"<![CDATA[",
]
bodies = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS) | st.binary(max_size=8), max_size=12).map(b"".join),
)
content_types = st.sampled_from(["text/xml", "text/html", "application/xml; charset=UTF-8", ""])


@FUZZ
@given(body=bodies, status=st.sampled_from([200, 400, 401, 429, 500, 524]), content_type=content_types)
@example(body=answers.ENTITY_BOMB.encode(), status=200, content_type="text/xml")
@example(
    body=answers.response(answers.result("readByQuery", "c", '<data count="x"/>')).encode(),
    status=200,
    content_type="text/xml",
)
def test_no_byte_string_makes_the_parser_raise_anything_but_its_typed_errors(body, status, content_type):
    try:
        response = parse_response(body, http_status=status, content_type=content_type)
    except IntacctError:
        return
    for result in response.results:
        with contextlib.suppress(IntacctError):
            result.page  # noqa: B018 - reading the paging attributes is the check


@FUZZ
@given(value=st.text(max_size=40))
@example(value="Bob's Pizza, Inc.")
@example(value="back\\slash\\")
@example(value="'")
@example(value="\\'")
@example(value="line\nbreak\\\nend")
def test_an_escaped_literal_reads_back_as_the_same_value(value):
    tokens = queries._Tokens(fn.escape_literal(value))
    assert [kind for kind, _, _ in tokens.items] == ["string", "end"]
    assert queries._literal(tokens) == value


@FUZZ
@given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
@example(value="Infinity")
@example(value="NaN")
@example(value="sNaN")
@example(value=" nan")
@example(value="01/02/2024")
def test_an_escaped_literal_selects_exactly_its_value(value):
    predicate = queries.parse_where(f"NAME = {fn.escape_literal(value)}", {"NAME"})
    assert predicate({"NAME": value})


def test_the_property_tests_can_fail():
    """The literal property is not vacuous: an escaping that forgets the backslash breaks it."""

    def naive(value: str) -> str:
        return "'" + value.replace("'", "\\'") + "'"

    tokens = queries._Tokens(naive("a\\b"))
    assert queries._literal(tokens) != "a\\b"
    with pytest.raises(queries.QueryError):
        queries._Tokens(naive("ends in \\"))
