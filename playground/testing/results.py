"""The outcome of running a suite: per assistant × case × repeat, per turn, per check."""

from __future__ import annotations

from dataclasses import dataclass, field

from .checks import CheckResult
from .observed import RunObservation


@dataclass(frozen=True)
class TurnResult:
    user: str
    observation: RunObservation | None
    checks: tuple[CheckResult, ...] = ()
    #: Why the turn could not run or finish (connection, no tool output...); "" if it did.
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and all(c.passed for c in self.checks)

    @property
    def run_id(self) -> str:
        return self.observation.run_id if self.observation else ""


@dataclass(frozen=True)
class CaseRun:
    """One case run once against one assistant, in its own new thread."""

    assistant_id: str
    assistant_name: str
    case: str
    repeat: int  # 1-based
    turns: tuple[TurnResult, ...]
    thread_id: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and all(t.passed for t in self.turns)

    @property
    def check_count(self) -> int:
        return sum(len(t.checks) for t in self.turns)

    @property
    def failed_checks(self) -> int:
        return sum(1 for t in self.turns for c in t.checks if not c.passed)


@dataclass
class SuiteReport:
    suite: str
    started_at: float
    finished_at: float = 0.0
    runs: list[CaseRun] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.runs) and all(r.passed for r in self.runs)

    @property
    def duration_s(self) -> float:
        return max(0.0, self.finished_at - self.started_at)

    def counts(self) -> tuple[int, int, int, int]:
        """(runs passed, runs, checks passed, checks)."""
        checks = sum(r.check_count for r in self.runs)
        failed = sum(r.failed_checks for r in self.runs)
        return sum(1 for r in self.runs if r.passed), len(self.runs), checks - failed, checks

    def summary(self) -> str:
        ok, total, checks_ok, checks = self.counts()
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"{verdict}: {ok}/{total} case runs passed, {checks_ok}/{checks} checks passed "
            f"in {self.duration_s:.1f} s."
        )
