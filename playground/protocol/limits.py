"""The wire limits of the Assistants API, written once.

The client checks them before sending (so the editor can say what is wrong next to the
field), the runtime enforces them on every request (so third-party clients get the
service's 400), and both read the numbers from here so they cannot drift apart.
Values follow the OpenAI spec (``specs/openai-openapi.yaml``).
"""

from __future__ import annotations

import re
from typing import Final

from .statuses import ACTIVE_RUN_STATUSES, TERMINAL_RUN_STATUSES, TERMINAL_STEP_STATUSES

#: ``metadata``: at most 16 pairs, keys up to 64 and string values up to 512 characters.
MAX_METADATA_PAIRS: Final = 16
MAX_METADATA_KEY: Final = 64
MAX_METADATA_VALUE: Final = 512

#: Function tool names: letters, digits, underscores and dashes, 1 to 64 of them.
FUNCTION_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]{1,64}$"
FUNCTION_NAME: Final = re.compile(FUNCTION_NAME_PATTERN)

MAX_ASSISTANT_NAME: Final = 256
MAX_ASSISTANT_DESCRIPTION: Final = 512
MAX_INSTRUCTIONS: Final = 256_000

#: ``tools`` on an assistant, and on a run (the run's list overrides the assistant's).
MAX_ASSISTANT_TOOLS: Final = 128
MAX_RUN_TOOLS: Final = 20

#: ``file_ids`` of ``tool_resources.code_interpreter``; v1 ``file_ids`` on an assistant.
MAX_CODE_INTERPRETER_FILES: Final = 20
#: v1 ``file_ids`` on one message.
MAX_V1_MESSAGE_FILES: Final = 10
#: ``tool_resources.file_search.vector_store_ids`` (and inline ``vector_stores``).
MAX_VECTOR_STORES_PER_OBJECT: Final = 1
#: ``file_ids`` when creating a vector store (and per batch).
MAX_VECTOR_STORE_FILES: Final = 10_000
MAX_VECTOR_STORE_BATCH_FILES: Final = 500

#: ``file_search.max_num_results``.
MIN_FILE_SEARCH_RESULTS: Final = 1
MAX_FILE_SEARCH_RESULTS: Final = 50

MAX_TEMPERATURE: Final = 2.0
MAX_TOP_P: Final = 1.0
#: ``max_prompt_tokens`` / ``max_completion_tokens``.
MIN_TOKEN_BUDGET: Final = 256

#: File-attribute maps on vector-store files: 16 keys, 64-char keys, 512-char strings.
MAX_ATTRIBUTE_PAIRS: Final = 16
MAX_ATTRIBUTE_KEY: Final = 64
MAX_ATTRIBUTE_STRING: Final = 512

__all__ = [
    "ACTIVE_RUN_STATUSES",
    "FUNCTION_NAME",
    "FUNCTION_NAME_PATTERN",
    "MAX_ASSISTANT_DESCRIPTION",
    "MAX_ASSISTANT_NAME",
    "MAX_ASSISTANT_TOOLS",
    "MAX_ATTRIBUTE_KEY",
    "MAX_ATTRIBUTE_PAIRS",
    "MAX_ATTRIBUTE_STRING",
    "MAX_CODE_INTERPRETER_FILES",
    "MAX_FILE_SEARCH_RESULTS",
    "MAX_INSTRUCTIONS",
    "MAX_METADATA_KEY",
    "MAX_METADATA_PAIRS",
    "MAX_METADATA_VALUE",
    "MAX_RUN_TOOLS",
    "MAX_TEMPERATURE",
    "MAX_TOP_P",
    "MAX_V1_MESSAGE_FILES",
    "MAX_VECTOR_STORES_PER_OBJECT",
    "MAX_VECTOR_STORE_BATCH_FILES",
    "MAX_VECTOR_STORE_FILES",
    "MIN_FILE_SEARCH_RESULTS",
    "MIN_TOKEN_BUDGET",
    "TERMINAL_RUN_STATUSES",
    "TERMINAL_STEP_STATUSES",
]
