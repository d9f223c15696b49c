"""`validate --lang` and the input errors of `report`/`table` in Danish and English (issue 18, build point 1).

Every problem code of ``evalkit/io`` has a label in both languages and every message built there has its
Danish wording in ``evalkit/io/problem_labels.yaml`` (both found by scanning the source, so a new code or
a reworded message without Danish fails here); the Danish output of an invalid export holds no word that
only the English labels use, and names the file, row and column; the English output is as before.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
import yaml

import evalkit
from evalkit.io.problems import Problem, code_label, message_in
from tests.report.test_language import EXCEPTIONS, _words, label_pairs
from tests.security.cli_helper import run_main

ROOT = Path(__file__).resolve().parents[2]
IO = Path(evalkit.__file__).parent / "io"
SAMPLE = ROOT / "data" / "samples" / "udgaaende"

@cache
def _labels() -> dict:
    return yaml.safe_load((resources.files("evalkit.io") / "problem_labels.yaml").read_text(encoding="utf-8"))


# --- the source scan ---------------------------------------------------------------------------------

def _calls(name: str) -> list[tuple[ast.Call, ast.FunctionDef | None, str]]:
    """Every call of ``name(...)`` in evalkit/io, with its enclosing function and file name."""
    out = []
    for path in sorted(IO.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            out += [(c, func, path.name) for c in ast.walk(func) if isinstance(c, ast.Call)
                    and getattr(c.func, "id", getattr(c.func, "attr", None)) == name]
    return out


def _assigned(name: str, func: ast.FunctionDef | None) -> list[ast.expr]:
    return [n.value for n in ast.walk(func) if isinstance(n, ast.Assign)
            and any(getattr(t, "id", None) == name for t in n.targets)] if func else []


def _strings(node: ast.expr, func: ast.FunctionDef | None) -> list[str]:
    """The string constants an expression can be: a literal, either branch of ``a if c else b``, a name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, func) + _strings(node.orelse, func)
    if isinstance(node, ast.Name):
        return [s for value in _assigned(node.id, func) for s in _strings(value, func)]
    return []


def _skeletons(node: ast.expr, func: ast.FunctionDef | None) -> list[str]:
    """The message an expression builds as a regular expression: literal text, ``.*`` for each hole."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [re.escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        return ["".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".*" for v in node.values)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _skeletons(node.left, func) for b in _skeletons(node.right, func)]
    if isinstance(node, ast.IfExp):
        return _skeletons(node.body, func) + _skeletons(node.orelse, func)
    if isinstance(node, ast.Name):
        return [s for value in _assigned(node.id, func) for s in _skeletons(value, func)]
    return [".*"]


def _arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def source_codes() -> set[str]:
    """Every problem code evalkit/io creates: ``Problem(severity, code, ...)`` (a literal or a name assigned
    in the function) and ``Failure(code, ...)`` (the value failures whose code a problem carries)."""
    codes: set[str] = set()
    for call, func, _ in _calls("Problem"):
        node = _arg(call, 1, "code")
        if isinstance(node, ast.Attribute) and node.attr == "code":
            continue  # failure.code: the Failure calls below
        found = _strings(node, func) if node is not None else []
        assert found, f"cannot tell the code of the Problem call at line {call.lineno}"
        codes.update(found)
    for call, func, _ in _calls("Failure"):
        codes.update(_strings(call.args[0], func))
    return codes


def test_the_scan_finds_every_kind_of_problem():
    codes = source_codes()
    assert len(codes) >= 35, sorted(codes)
    assert {"out-of-range", "not-a-table", "empty-file", "duplicate-key", "unknown-reference", "ragged-row",
            "missing-column", "control-character", "missing-value", "unknown-table"} <= codes


def test_every_code_has_a_label_in_both_languages():
    labels = _labels()["codes"]
    missing = sorted(c for c in source_codes() if c not in labels)
    assert not missing, f"add these codes to evalkit/io/problem_labels.yaml: {missing}"
    for code, entry in labels.items():
        assert entry.get("da") and entry.get("en") and entry["da"] != entry["en"], code
    assert not sorted(set(labels) - source_codes()), "labels of codes the source no longer creates"


def _detail_samples(code: str) -> list[str]:
    """The code's English message patterns with every field filled in."""
    return [re.sub(r"\{\w+\}", "X", d["en"]) for d in _labels()["codes"][code].get("details", [])]


def test_every_message_has_its_danish_wording():
    """A code with details has a Danish pattern for every message the source builds for it (an f-string's
    holes are any text); the refusals of the resource limits are the listed exception."""
    unmatched = []
    for call, func, file in _calls("Problem"):
        codes = _strings(_arg(call, 1, "code"), func) or ["<value failure>"]
        message = _arg(call, 2, "message")
        if isinstance(message, ast.Call):  # str(exc): the NotATable messages, below
            continue
        for code in codes:
            if code == "<value failure>":
                code = "out-of-range"  # every value failure: "the value {reason}"
            samples = _detail_samples(code)
            for skeleton in _skeletons(message, func):
                if samples and not any(re.fullmatch(skeleton, s, re.DOTALL) for s in samples):
                    unmatched.append((file, call.lineno, code, skeleton))
    samples = _detail_samples("not-a-table") + _detail_samples("empty-file")
    for call, func, file in _calls("NotATable"):
        for skeleton in _skeletons(call.args[0], func):
            if not any(re.fullmatch(skeleton, s, re.DOTALL) for s in samples):
                unmatched.append((file, call.lineno, "not-a-table", skeleton))
    # a refusal of the resource limits is put together from what is too large and the advice
    for call, func, file in _calls("check_budget"):
        for part in (call.args[1], call.args[3]):
            for skeleton in _skeletons(part, func):
                if not any(re.search(skeleton, s, re.DOTALL) for s in samples):
                    unmatched.append((file, call.lineno, "not-a-table", skeleton))
    assert not unmatched, unmatched


def test_danish_templates_use_only_the_fields_of_their_pattern():
    for code, entry in _labels()["codes"].items():
        for detail in entry.get("details", []):
            assert set(re.findall(r"\{(\w+)\}", detail["da"])) <= set(re.findall(r"\{(\w+)\}", detail["en"])), code


def test_labels_use_no_word_of_the_other_language():
    pairs = _pairs()
    da = set().union(*(_words(d) for d, _ in pairs))
    en = set().union(*(_words(e) for _, e in pairs))
    shared = EXCEPTIONS["both"] | {"csv", "xlsx", "parquet", "utf", "mapping", "init", "cpr", "zip", "type",
                                   "bytes", "mb"}
    assert not sorted((da & en) - shared)


def _pairs() -> list[tuple[str, str]]:
    data = _labels()
    pairs = [(w["da"], w["en"]) for w in data["words"].values()]
    pairs += [(c["da"], c["en"]) for c in data["codes"].values()]
    # the details: the Danish template against the English message
    pairs += [(d["da"], d["en"]) for c in data["codes"].values() for d in c.get("details", [])]
    return pairs


# --- printed text -----------------------------------------------------------------------------------

def test_a_problem_in_both_languages():
    p = Problem("error", "out-of-range", "the value must be between 0 and 5", file="registreringer.csv", row=3,
                column="who5_1", value="7")
    assert p.text("en") == str(p) == ("error: registreringer.csv, row 3, column 'who5_1': the value must be "
                                      "between 0 and 5 (value: '7')")
    assert p.text("da") == ("fejl: fil registreringer.csv, række 3, kolonne 'who5_1': værdi uden for det "
                            "tilladte område – skal ligge mellem 0 og 5 (værdi: '7')")
    warning = Problem("warning", "blank-row", "the row is empty; excluded", file="d.csv", row=9)
    assert warning.text("da") == "advarsel: fil d.csv, række 9: tom række; udeladt"


def test_a_message_without_danish_wording_keeps_its_detail_as_a_technical_note():
    text = message_in("not-a-table", "the file is 9.0 GB; reading it needs about 27.0 GB of memory", "da")
    assert text.startswith(code_label("not-a-table", "da") + " (teknisk besked: the file is 9.0 GB")


def test_a_refusal_of_the_memory_limit_in_danish(tmp_path, monkeypatch):
    from evalkit.io.limits import NotATable, check_csv_size

    path = tmp_path / "big.csv"
    path.write_bytes(b"a;b\n" * 1000)
    with pytest.raises(NotATable) as info:
        check_csv_size(path, limit=100)
    text = message_in("not-a-table", str(info.value), "da")
    assert text.startswith("filen kan ikke læses som en tabel – filen fylder 4000 bytes; indlæsningen kræver omkring")
    assert "(den ledige hukommelse)" in text or "(sat med EVALKIT_MAX_READ_BYTES)" in text
    assert "teknisk besked" not in text


def test_danish_text_never_prints_a_cpr_number():
    cpr = "0102031234"
    p = Problem("error", "duplicate-key", "the key (person_id) appears more than once", file=f"{cpr}.csv", row=2,
                column="person_id", value=cpr)
    q = Problem("error", "unknown-reference", f"person_id {cpr} is not found in table 'deltagere'", value=cpr)
    for problem in (p, q):
        for lang in ("da", "en"):
            assert cpr not in problem.text(lang) and "010203-1234" not in problem.text(lang)


def test_suppressed_problems_are_counted_in_the_language():
    from evalkit.io.problems import ProblemList

    problems = ProblemList(per_kind_limit=1)
    for row in (2, 3, 4):
        problems.add(Problem("error", "not-whole", "the value is not a whole number", file="r.csv", table="r",
                             row=row, column="alder", value="1,5"))
    da, en = problems.summary_lines("da"), problems.summary_lines("en")
    assert da[-1] == "fejl: ... og 2 tilfælde mere af slagsen 'ikke et helt tal' i tabel r, kolonne 'alder'"
    assert en[-1] == "error: ... and 2 more 'not-whole' problem(s) in table r, column 'alder'"
    assert problems.to_list("da")[-1]["text"] == "2 tilfælde mere af denne slags"


# --- the commands -----------------------------------------------------------------------------------

def _edit(path: Path, edits: dict[int, dict[str, str]], extra: list[str] = ()) -> None:
    lines = path.read_bytes().decode("cp1252").splitlines()
    header = lines[0].split(";")
    for row, values in edits.items():
        fields = lines[row].split(";")
        for column, value in values.items():
            fields[header.index(column)] = value
        lines[row] = ";".join(fields)
    path.write_bytes(("\n".join([*lines, *extra]) + "\n").encode("cp1252"))


@pytest.fixture(scope="module")
def invalid(tmp_path_factory) -> Path:
    """The udgaaende sample with five kinds of bad value, a duplicate key and an unknown person."""
    folder = tmp_path_factory.mktemp("lang") / "export"
    shutil.copytree(SAMPLE, folder)
    reg = folder / "registreringer.csv"
    lines = reg.read_bytes().decode("cp1252").splitlines()
    _edit(reg, {1: {"who5_1": "7"}, 2: {"dato": "31-02-2020"}, 3: {"hash_dage_30": "tre"},
                6: {"person_id": "U9999"}}, extra=[lines[5]])
    _edit(folder / "deltagere.csv", {1: {"koen": "X"}, 2: {"alder": "17,5"}})
    return folder


def _foreign_to_danish() -> frozenset[str]:
    pairs = label_pairs() + _pairs()
    da = set().union(*(_words(d) for d, _ in pairs))
    en = set().union(*(_words(e) for _, e in pairs))
    return frozenset(en - da - EXCEPTIONS["both"])


def _without_data(text: str, source: Path) -> str:
    """The text without the data it quotes: the source path, quoted names and values, table names."""
    text = text.replace(str(source), " ")
    text = re.sub(r"'[^']*'|\([^()]*,[^()]*\)", " ", text)   # quoted values; key column lists
    return re.sub(r"\b(?:deltagere|registreringer|omkostninger|\w+_\w+|\w+\.csv)\b", " ", text)


def test_validate_da_prints_danish_with_file_row_and_column(invalid):
    code, out, err = run_main("validate", str(invalid), "--lang", "da")
    assert code == 1, out + err
    assert err.startswith(f"{invalid}: udtrækket er ikke gyldigt (")
    errors = [line for line in err.splitlines()[1:] if not line.startswith("  oplysning: fil ")]
    assert len(errors) == 8
    for line in errors:
        assert line.startswith("  fejl: fil ") and ", række " in line and ", kolonne '" in line, line
    assert "kolonne 'who5_1': værdi uden for det tilladte område – skal ligge mellem 0 og 5 (værdi: '7')" in err
    assert "kolonne 'dato': datoen findes ikke i kalenderen (værdi: '31-02-2020')" in err
    foreign = _foreign_to_danish()
    leaks = sorted(_words(_without_data(err, invalid)) & foreign)
    assert not leaks, (leaks, err)


def test_validate_da_exclude_prints_the_ledger_and_warnings_in_danish(invalid):
    code, out, err = run_main("validate", str(invalid), "--exclude-invalid")   # the default language: Danish
    assert code == 0, out + err
    assert out.startswith(f"{invalid}: gyldigt udtræk af datasættet 'udgaaende'")
    assert "  registreringer: indlæst 1067, beholdt 1060, udeladt 7" in out
    assert "      udeladt 2: nøglen (person_id, tidspunkt) står i flere rækker" in out
    assert "advarsel: fil registreringer.csv, række 7, kolonne 'person_id': henvisning til en række, der ikke " \
           "findes – person_id findes ikke i tabellen 'deltagere' (værdi: 'U9999')" in out
    leaks = sorted(_words(_without_data(out, invalid)) & _foreign_to_danish())
    assert not leaks, (leaks, out)


def test_validate_en_is_unchanged(invalid):
    code, out, err = run_main("validate", str(invalid), "--lang", "en")
    assert code == 1
    assert err.startswith(f"{invalid}: the export is not valid (")
    assert ("  error: registreringer.csv, row 2, column 'who5_1': the value must be between 0 and 5 (value: '7')"
            in err.splitlines())
    code, out, err = run_main("validate", str(invalid), "--lang", "en", "--exclude-invalid")
    assert code == 0
    assert out.splitlines()[:3] == [f"{invalid}: valid export of dataset 'udgaaende'",
                                    "  deltagere: read 405, kept 403, excluded 2",
                                    "      excluded 1: alder: is not a whole number"]
    assert "      excluded 2: duplicated key (person_id, tidspunkt)" in out


def test_validate_json_keeps_codes_and_adds_the_text(invalid):
    for lang, word in (("da", "fejl: fil "), ("en", "error: ")):
        code, out, _ = run_main("validate", str(invalid), "--format", "json", "--lang", lang)
        assert code == 1
        payload = json.loads(out)
        assert payload["lang"] == lang and payload["valid"] is False
        by_code = {p["code"]: p for p in payload["problems"]}
        assert {"out-of-range", "impossible-date", "not-a-number", "unknown-code", "not-whole"} <= set(by_code)
        assert by_code["out-of-range"]["message"] == "the value must be between 0 and 5"
        assert by_code["out-of-range"]["text"].startswith(word)


def test_unknown_lang_is_a_usage_error(invalid):
    for command in ("validate", "report"):
        code, out, err = run_main(command, str(invalid), "--lang", "fr")
        assert code == 2 and "--lang" in err and "Traceback" not in out + err


@pytest.mark.parametrize("command, headline", [
    ("report", "der er ikke skrevet nogen rapport"),
    ("table", "der er ikke skrevet nogen tabel"),
])
def test_report_and_table_print_input_errors_in_their_language(invalid, command, headline):
    extra = ("--rows", "koen") if command == "table" else ("--quiet",)
    code, out, err = run_main(command, str(invalid), *extra)   # default: Danish
    assert code == 1
    assert headline in err.splitlines()[0]
    assert "  fejl: fil registreringer.csv, række 2, kolonne 'who5_1': værdi uden for" in err
    assert not sorted(_words(_without_data(err, invalid)) & _foreign_to_danish())
    code, out, err = run_main(command, str(invalid), *extra, "--lang", "en")
    assert code == 1 and "no " + command + " was written" in err
    assert "  error: registreringer.csv, row 2, column 'who5_1': the value must be between 0 and 5" in err
