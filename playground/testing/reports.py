"""Reports of a suite run: JUnit XML for CI, and one self-contained HTML page for people.

JUnit: one ``<testsuite>`` per assistant, one ``<testcase>`` per check of each run (so CI
shows which check failed), named ``case [k] turn n: check``; a run that could not finish
adds a ``<testcase>`` with an ``<error>``. The run id goes in ``<system-out>`` so a failure
can be looked up in the playground's inspector.

HTML: inline CSS only, no scripts, no links to anything; every piece of text from a suite or
a model goes through :func:`html.escape`, so an answer can never inject markup.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from .errors import TestingError
from .results import CaseRun, SuiteReport, TurnResult


class ReportWriteError(TestingError):
    """A report file could not be written."""


#: Characters XML 1.0 cannot carry at all (a model's answer may hold terminal escapes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _testcase_name(run: CaseRun, turn_index: int, label: str) -> str:
    return _x(f"{run.case} [{run.repeat}] turn {turn_index}: {label}")


def _by_assistant(report: SuiteReport) -> Iterator[tuple[str, str, list[CaseRun]]]:
    order: dict[str, list[CaseRun]] = {}
    names: dict[str, str] = {}
    for run in report.runs:
        order.setdefault(run.assistant_id, []).append(run)
        names[run.assistant_id] = run.assistant_name
    for assistant_id, runs in order.items():
        yield assistant_id, names[assistant_id], runs


def _turn_cases(run: CaseRun, index: int, turn: TurnResult, classname: str) -> list[ET.Element]:
    cases: list[ET.Element] = []
    obs = turn.observation
    seconds = f"{obs.duration_s:.3f}" if obs else "0"
    out = (
        f"run {obs.run_id} on thread {obs.thread_id}, status {obs.status}"
        if obs
        else "no run was created"
    )
    for check in turn.checks:
        case = ET.Element(
            "testcase",
            {
                "classname": classname,
                "name": _testcase_name(run, index, check.check),
                "time": seconds,
            },
        )
        if not check.passed:
            detail = _x(check.detail)
            failure = ET.SubElement(case, "failure", {"message": detail, "type": "check"})
            failure.text = detail
        ET.SubElement(case, "system-out").text = _x(out)
        cases.append(case)
    if turn.error:
        case = ET.Element(
            "testcase",
            {
                "classname": classname,
                "name": _testcase_name(run, index, "run"),
                "time": seconds,
            },
        )
        error = ET.SubElement(case, "error", {"message": _x(turn.error), "type": "run"})
        error.text = _x(turn.error)
        ET.SubElement(case, "system-out").text = _x(out)
        cases.append(case)
    return cases


def junit_xml(report: SuiteReport) -> str:
    root = ET.Element("testsuites", {"name": _x(report.suite), "time": f"{report.duration_s:.3f}"})
    for assistant_id, name, runs in _by_assistant(report):
        suite = ET.SubElement(
            root, "testsuite", {"name": _x(f"{report.suite} — {name} ({assistant_id})")}
        )
        classname = _x(f"{name}.{report.suite}")
        cases: list[ET.Element] = []
        for run in runs:
            for index, turn in enumerate(run.turns, start=1):
                cases += _turn_cases(run, index, turn, classname)
            if run.error and not any(t.error for t in run.turns):
                case = ET.Element(
                    "testcase",
                    {
                        "classname": classname,
                        "name": _x(f"{run.case} [{run.repeat}]: case"),
                        "time": "0",
                    },
                )
                message = _x(run.error)
                ET.SubElement(case, "error", {"message": message, "type": "case"}).text = message
                cases.append(case)
        suite.extend(cases)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
        suite.set("skipped", "0")
        suite.set("time", f"{sum(float(c.get('time', '0')) for c in cases):.3f}")
    tests = sum(int(s.get("tests", "0")) for s in root)
    root.set("tests", str(tests))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    root.set("errors", str(sum(int(s.get("errors", "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#1d1d1f;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
.summary{padding:.6em 1em;border-radius:6px;display:inline-block}
.ok{background:#e3f6e8;color:#125a27}.bad{background:#fde8e8;color:#8a1c1c}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
th,td{border:1px solid #d0d0d5;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f6}td.pass{color:#125a27;font-weight:600}td.fail{color:#8a1c1c;font-weight:600}
pre{white-space:pre-wrap;margin:0;font-size:.9em}
code{font-size:.9em}.muted{color:#6b6b74}
"""


def _e(text: object) -> str:
    return html.escape(_x(str(text)), quote=True)


def _run_section(run: CaseRun) -> list[str]:
    verdict = "passed" if run.passed else "FAILED"
    out = [
        f"<h2>{_e(run.case)} <span class='muted'>[{run.repeat}]</span> — {_e(verdict)}</h2>",
        f"<p class='muted'>Thread <code>{_e(run.thread_id or '—')}</code></p>",
    ]
    if run.error:
        out.append(f"<p class='summary bad'>{_e(run.error)}</p>")
    for index, turn in enumerate(run.turns, start=1):
        obs = turn.observation
        facts = (
            f"run <code>{_e(obs.run_id)}</code>, {_e(obs.status)}, {obs.duration_s:.1f} s, "
            f"{_e(obs.total_tokens if obs.total_tokens is not None else '?')} tokens"
            if obs
            else "no run"
        )
        out.append(f"<p><b>Turn {index}</b> — {facts}</p>")
        out.append(f"<table><tr><th>User</th><td><pre>{_e(turn.user)}</pre></td></tr>")
        if obs is not None:
            out.append(f"<tr><th>Answer</th><td><pre>{_e(obs.answer)}</pre></td></tr>")
            if obs.function_calls:
                calls = "\n".join(f"{c.name}({c.arguments})" for c in obs.function_calls)
                out.append(f"<tr><th>Functions</th><td><pre>{_e(calls)}</pre></td></tr>")
        out.append("</table>")
        if turn.error:
            out.append(f"<p class='summary bad'>{_e(turn.error)}</p>")
        if turn.checks:
            out.append("<table><tr><th>Check</th><th>Result</th><th>Detail</th></tr>")
            for check in turn.checks:
                cls, word = ("pass", "pass") if check.passed else ("fail", "FAIL")
                out.append(
                    f"<tr><td>{_e(check.check)}</td><td class='{cls}'>{word}</td>"
                    f"<td>{_e(check.detail)}</td></tr>"
                )
            out.append("</table>")
    return out


def html_report(report: SuiteReport) -> str:
    when = dt.datetime.fromtimestamp(report.started_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cls = "ok" if report.passed else "bad"
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        # Belt and braces: even a browser that got markup through would load nothing.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        f"<title>{_e(report.suite)} — test report</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(report.suite)}</h1>",
        f"<p class='muted'>Started {_e(when)}</p>",
        f"<p class='summary {cls}'>{_e(report.summary())}</p>",
    ]
    for assistant_id, name, runs in _by_assistant(report):
        parts.append(f"<h2>Assistant {_e(name)} <code>{_e(assistant_id)}</code></h2>")
        parts.append("<table><tr><th>Case</th><th>Repeat</th><th>Result</th><th>Checks</th></tr>")
        for run in runs:
            cls = "pass" if run.passed else "fail"
            parts.append(
                f"<tr><td>{_e(run.case)}</td><td>{run.repeat}</td>"
                f"<td class='{cls}'>{'pass' if run.passed else 'FAIL'}</td>"
                f"<td>{run.check_count - run.failed_checks}/{run.check_count}</td></tr>"
            )
        parts.append("</table>")
        for run in runs:
            parts += _run_section(run)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(text: str, path: Path) -> None:
    """Write next to a temporary name, then rename (a reader never sees half a report)."""
    temp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(text, encoding="utf-8")
        temp.replace(path)
    except OSError as exc:
        raise ReportWriteError(f"The report {path} cannot be written ({exc.strerror}).") from None
