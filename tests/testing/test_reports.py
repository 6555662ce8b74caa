"""Reports from hostile text: a model's answer and a suite's names can hold markup, quotes
and terminal escapes; the HTML shows them as text and the JUnit XML still parses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from playground.testing.checks import CheckResult
from playground.testing.observed import FunctionCallSeen, RunObservation
from playground.testing.reports import html_report, junit_xml
from playground.testing.results import CaseRun, SuiteReport, TurnResult

EVIL = '<img src="https://evil.example/x.png"><script>alert(1)</script> & "q" \x1b[31mred\x00'


def _report() -> SuiteReport:
    seen = RunObservation(
        run_id="run_1",
        thread_id="thread_1",
        assistant_id="asst_1",
        status="completed",
        answer=EVIL,
        duration_s=1.5,
        total_tokens=12,
        function_calls=(FunctionCallSeen("get_weather", '{"city": "<b>"}', "5"),),
    )
    turn = TurnResult(
        EVIL,
        seen,
        (CheckResult("answer contains 'x'", False, f"Not in the answer: {EVIL}"),),
        error="",
    )
    broken = TurnResult("second", None, (), error=f"No output for {EVIL}")
    return SuiteReport(
        suite=f"Suite {EVIL}",
        started_at=0.0,
        finished_at=2.0,
        runs=[
            CaseRun("asst_1", f"Bot {EVIL}", f"case {EVIL}", 1, (turn,), "thread_1"),
            CaseRun("asst_1", f"Bot {EVIL}", "two", 1, (broken,), "thread_2", "stopped"),
        ],
    )


class _Tags(HTMLParser):
    """Every tag and attribute the page really has (text is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_html_shows_hostile_text_as_text_and_loads_nothing() -> None:
    page = html_report(_report())
    parsed = _Tags()
    parsed.feed(page)
    assert not parsed.tags & {"img", "script", "link", "iframe", "object", "embed", "a"}
    assert not parsed.attributes & {"src", "href", "onerror", "onload", "srcset"}
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style
    assert "\x00" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src &#x27;none&#x27;" in page or "default-src 'none'" in page
    assert "get_weather({&quot;city&quot;: &quot;&lt;b&gt;&quot;})" in page


def test_junit_parses_and_keeps_the_story() -> None:
    root = ET.fromstring(junit_xml(_report()).encode())
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 2
    failure = cases[0].find("failure")
    assert failure is not None and "<script>alert(1)</script>" in failure.get("message", "")
    assert "\x1b" not in failure.get("message", "")
    error = cases[1].find("error")
    assert error is not None and error.get("message", "").startswith("No output for")
    assert root.get("failures") == "1" and root.get("errors") == "1" and root.get("tests") == "2"
