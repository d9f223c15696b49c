"""Text that is safe to print: CPR numbers masked and control characters made visible.

Header names, file and sheet names and values come from the user's files; printed raw, an escape
sequence in a header (``\\x1b]0;title\\x07``) retitles the terminal and a bidi override reorders what
the reader sees. :func:`printable` is applied to every problem message and ledger key, and by the
command line to everything it prints.
"""

from __future__ import annotations

import re

from evalkit.io.cpr import scrub_text

# C0 and C1 controls, DEL, the line/paragraph separators and the bidi embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def strip_controls(text: str) -> str:
    r"""Control characters written as visible escapes (``\x1b``), everything else unchanged.

    >>> strip_controls("who5_1\x1b]0;pwned\x07")
    'who5_1\\x1b]0;pwned\\x07'
    """
    return _CONTROL.sub(_escape, text)


def printable(text: object) -> str:
    r"""``text`` with CPR numbers masked and control characters made visible: safe for any output.

    >>> printable("kommune\u202e 0102031234")
    'kommune\\u202e XXXXXX-XXXX'
    """
    return strip_controls(scrub_text(str(text)))
