"""Every timing number of the run driver, in one place.

Tests inject a fake ``sleep`` and ``clock``, so nothing here needs to be small for the
suite to be fast; the values are chosen for people watching a run in the playground.
"""

from __future__ import annotations

from typing import Final

#: First poll interval (seconds) without a server hint: short, so a run that finishes in a
#: fraction of a second is seen finishing almost at once.
POLL_INITIAL_S: Final = 0.1
#: Each poll that sees no change waits this much longer than the previous one...
POLL_GROWTH: Final = 1.5
#: ...up to this cap, so a long run costs one request every two seconds.
POLL_MAX_S: Final = 2.0
#: A server's ``openai-poll-after-ms`` hint is clamped to this range (seconds), so a
#: broken hint can neither hammer the server nor stall the run view.
POLL_HINT_MIN_S: Final = 0.02
POLL_HINT_MAX_S: Final = 30.0

#: While waiting for tool outputs the run is re-read this often (seconds) to notice a
#: cancel or expiry that happened elsewhere.
ACTION_RECHECK_S: Final = 15.0
#: Extra seconds after ``expires_at`` before re-reading the run, because the server's
#: clock and ours differ slightly and the server expires the run on its own schedule.
EXPIRY_GRACE_S: Final = 1.0

#: Polls that fail in a row (after the client's own retries) before the driver gives up.
POLL_MAX_CONSECUTIVE_ERRORS: Final = 5
#: How long a poll error waits before the next try (seconds), doubled per failure.
POLL_ERROR_BACKOFF_S: Final = 1.0

#: How far back (seconds) a run may have been created to count as "ours" when a stream
#: broke before its first event named the run.
RECOVERY_WINDOW_S: Final = 120.0
#: How many of the thread's newest runs are searched in that recovery.
RECOVERY_LIST_LIMIT: Final = 5

#: Tool outputs longer than this many characters get a warning in the prompt.
OUTPUT_WARN_CHARS: Final = 512 * 1024
#: Default time limit (seconds) for a local Python function.
LOCAL_PYTHON_TIMEOUT_S: Final = 10.0

#: While a run is in progress its steps (and, when a message is being written, its
#: messages) are re-read at most this often (seconds). Every other poll reads only the run,
#: so following a run costs about what the SDK's ``create_and_poll`` costs, while the
#: inspector still sees step progress and polled text grow about once a second.
DETAIL_REFRESH_S: Final = 1.0
#: Each live read that finds nothing new waits this much longer before the next...
DETAIL_REFRESH_GROWTH: Final = 1.5
#: ...up to this cap (seconds), so a model that thinks for a minute costs little.
DETAIL_REFRESH_MAX_S: Final = 5.0

#: After Cancel, seconds the driver keeps polling for the run to end; a server that keeps it
#: ``in_progress`` longer no longer holds the thread (the person is told it may still run).
CANCEL_DEADLINE_S: Final = 30.0
#: Pages of steps or messages (of 100) read per poll at most.
DETAIL_MAX_PAGES: Final = 10
