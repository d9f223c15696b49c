"""JUnit XML and GitHub annotations from evalkit verify: the shapes CI systems read."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from evalkit.verify import load_catalogue

from .conftest import SAMPLES, run_verify


def test_junit_shape_one_testcase_per_figure(changed_udgaaende, tmp_path):
    target = tmp_path / "verify.xml"
    result = run_verify("000", "001", "--data", str(changed_udgaaende), "--format", "junit", "--output", str(target))
    assert result.returncode == 1 and "wrote" in result.stderr
    root = ET.parse(target).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["catalogues/000.yaml", "catalogues/001.yaml"]
    total = failures = skipped = 0
    for suite, name in zip(suites, ("000", "001"), strict=True):
        cases = suite.findall("testcase")
        ids = [c.get("name") for c in cases]
        assert ids == [f.id for f in load_catalogue(name).figures]  # one testcase per figure, in order
        assert int(suite.get("tests")) == len(cases)
        fails = [c for c in cases if c.find("failure") is not None]
        skips = [c for c in cases if c.find("skipped") is not None]
        assert int(suite.get("failures")) == len(fails) and int(suite.get("skipped")) == len(skips)
        assert suite.get("errors") == "0"
        for c in cases:
            assert c.get("classname") == f"evalkit.verify.{name}" and c.get("line", "").isdigit()
            assert len([e for e in c if e.tag in ("failure", "skipped", "error")]) <= 1
        total, failures, skipped = total + len(cases), failures + len(fails), skipped + len(skips)
    assert (int(root.get("tests")), int(root.get("failures")), int(root.get("skipped"))) == (total, failures, skipped)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["000-T7.1-indskrevne/erhvervsskole/kvinde"].find("failure")
    assert failure.get("message") == "printed 37, computed 36" and "enrolment/erhvervsskole/kvinde" in failure.text
    moved = cases["000-T7.1-indskrevne/erhvervsskole/mand_pct"].find("failure")
    assert moved.get("type") == "moved" and "31.4079" in moved.text
    assert "known deviation" in cases["000-T7.2-progression/flere_stoffer/ikke_brugere"].find("system-out").text
    assert "known deviation" in cases["000-T7.2e-forbedret-trivsel/produktionsskole/forbedret_pct"].find(
        "system-out").text


def test_github_annotations(changed_udgaaende):
    result = run_verify("000", "--data", str(changed_udgaaende), "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("evalkit verify: ") and " fail" in lines[-1]
    commands = lines[:-1]
    assert commands and all(line.split(" ", 1)[0] in ("::error", "::warning", "::notice") for line in commands)
    error = next(line for line in commands if "title=000-T7.1-indskrevne/erhvervsskole/kvinde::" in line)
    assert error.startswith("::error file=") and "000.yaml,line=" in error and "printed 37, computed 36" in error
    assert any(line.startswith("::notice ") and "ikke_brugere" in line for line in commands)
    assert sum(line.startswith("::notice ") for line in commands) >= 6
    assert all("\n" not in line for line in commands)


def test_text_output_lists_counts_per_catalogue():
    result = run_verify("--data", str(SAMPLES / "udgaaende"))
    assert result.returncode == 0
    assert "catalogues/000.yaml: 124 pass, 0 fail, 9 known deviations, 0 pending a report cell (133 figures)" \
        in result.stdout
    assert "total: 133 pass, 0 fail, 12 known deviations, 0 pending" in result.stdout
