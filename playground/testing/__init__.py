"""Testing assistants without code: suites of cases with checks, run headless or from the window.

Qt-free on purpose: the ``assistants-playground test`` command line imports this package (and
``protocol``, ``api``, ``runs``, ``store``) but never PySide6, so it runs on a CI machine
without a display. Runs go through the same :class:`~playground.api.AssistantsClient` and
:class:`~playground.runs.RunDriver` as the chat, so a suite tests exactly what a person sees.
"""
