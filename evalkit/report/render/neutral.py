"""Output neutralisation: every data-derived string passes through :func:`neutral` before any renderer
writes it, then through the one escape its format needs.

:func:`neutral` is the single gate: it masks CPR numbers (:func:`evalkit.io.cpr.mask_cpr`), folds line
breaks and tabs into spaces and removes every other control character (terminal escape sequences
lose their ESC and BEL bytes and print as plain text), zero-width and bidirectional-override
characters. On top of it, each format adds its own rule:

* CSV (:func:`csv_text`): a text cell whose first visible character is ``=``, ``+``, ``-`` or ``@``
  is prefixed with ``'`` (OWASP CSV injection); a number we formatted stays a number.
* Markdown (:func:`md_text`): nothing can open an HTML tag, entity or link; pipes are escaped.
* HTML: ``html.escape`` of the neutral text; terminal: ``rich.markup.escape`` of it; XLSX: strings
  are stored with data type ``s`` and the quote prefix, never as formulas (``render.xlsx``).

>>> neutral("Lolland\\x1b]0;owned\\x07\\nrow 0102031234")
'Lolland]0;owned row XXXXXX-XXXX'
>>> csv_text('=HYPERLINK("http://x","click")'), csv_text("-3,5", number_ok=True)
('\\'=HYPERLINK("http://x","click")', '-3,5')
>>> md_text("<script>|[x](javascript:y) <0,001")
'&lt;script>\\\\|[x]\\\\(javascript:y) <0,001'
"""

from __future__ import annotations

import re

from evalkit.io.cpr import mask_cpr

# Line breaks and tabs (including the Unicode line/paragraph separators and NEL) become one space.
_FOLD = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
# Every other C0/C1 control, DEL, zero-width characters, bidi embeddings/overrides/isolates and BOM.
_DROP = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d[\d.,]*%?")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")          # "<" that could open a tag, comment or autolink
_MD_ENTITY = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")  # "&" that would start a character reference


def mask_sensitive(text: str) -> str:
    """The CPR mask every printed string gets (one place, so the detector can be swapped)."""
    return mask_cpr(text)


def neutral(value: object) -> str:
    """``value`` as text that is safe to print anywhere: CPR masked, no control characters.

    >>> neutral("a\\tb\\r\\nc\\x00d")
    'a b cd'
    """
    text = "" if value is None else str(value)
    return _DROP.sub("", _FOLD.sub(" ", mask_sensitive(text)))


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (its first visible character).

    >>> formula_like("@SUM(A1)"), formula_like(" =1+1"), formula_like("Lolland")
    (True, True, False)
    """
    stripped = text.lstrip(" ")
    return text.startswith(_FORMULA_START) or stripped.startswith(_FORMULA_START)


def csv_text(value: object, number_ok: bool = False) -> str:
    """A neutral CSV cell: ``'`` before a text that could start a formula.

    ``number_ok`` keeps a number we formatted ourselves (``-3,5``) as it is; data-derived labels
    never get that exemption, so a municipality called ``-5`` is written ``'-5``.
    """
    text = neutral(value)
    if formula_like(text) and not (number_ok and _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def md_text(value: object) -> str:
    """A neutral Markdown table cell: no tag, entity or link can start, pipes and backslashes escaped.

    ``<`` before a letter, ``/``, ``!`` or ``?`` becomes ``&lt;`` (so ``<0,001`` stays readable),
    ``&`` that would start a character reference becomes ``&amp;``, ``](`` (a link target) loses its
    meaning, and line breaks were already folded by :func:`neutral`.
    """
    text = neutral(value).replace("\\", "\\\\").replace("|", "\\|").replace("](", "]\\(")
    return _MD_TAG.sub("&lt;", _MD_ENTITY.sub("&amp;", text))


def neutral_tree(node: object) -> object:
    """Every string (keys included) of a JSON-like tree passed through :func:`neutral`.

    >>> neutral_tree({"fil 0102031234.csv": {"read": 3, "why": ["a\\nb"]}})
    {'fil XXXXXX-XXXX.csv': {'read': 3, 'why': ['a b']}}
    """
    if isinstance(node, str):
        return neutral(node)
    if isinstance(node, dict):
        return {(neutral(k) if isinstance(k, str) else k): neutral_tree(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [neutral_tree(v) for v in node]
    return node
