"""What a replay prints, and its JUnit XML."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

PASS, FAIL = "✓", "✗"


def lines_for(result) -> list[str]:
    lines = [f"{result.path}" + (f"  ({result.name})" if result.name else "")]
    if result.error:
        lines.append(f"  {FAIL} invalid scenario file")
        lines.extend(f"      {line}" for line in result.error.splitlines())
    elif not result.steps:
        lines.append("  (no steps)")
    for step in result.steps:
        mark = PASS if step.passed else FAIL
        lines.append(f"  {mark} {step.name} ({step.seconds * 1000:.0f} ms)")
        lines.extend(f"      {problem}" for problem in step.problems)
    lines.append(file_line(result))
    return lines


def file_line(result) -> str:
    """The file's own tally: ``= path: 5 passed, 1 failed in 0.42 s``."""
    return f"= {result.path}: {result.passed} passed, {result.failed} failed in {result.seconds:.2f} s"


def summary(results) -> tuple[int, int, str]:
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    return passed, failed, f"{passed} passed, {failed} failed"


def classname(result) -> str:
    """The scenario's name (the file's name without one) made safe for reporters that read
    ``classname`` as dotted packages: anything but letters, digits and ``_`` becomes ``_``."""
    name = result.name or Path(result.path).stem
    return re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "scenario"


def junit(results, path: str) -> None:
    suites = ET.Element("testsuites")
    for result in results:
        if not result.steps and not result.error:
            continue  # a world without steps has nothing to report
        cases = len(result.steps) + (1 if result.error else 0)
        suite = ET.SubElement(suites, "testsuite", name=result.path, tests=str(cases),
                              failures=str(result.failed), errors="0", time=f"{result.seconds:.3f}",
                              file=result.path)
        where = {"classname": classname(result), "file": result.path}
        if result.error:
            case = ET.SubElement(suite, "testcase", name="load scenario file", time="0", **where)
            failure = ET.SubElement(case, "failure", message=result.error.splitlines()[0])
            failure.text = result.error
        for step in result.steps:
            case = ET.SubElement(suite, "testcase", name=step.name, time=f"{step.seconds:.3f}", **where)
            if not step.passed:
                failure = ET.SubElement(case, "failure", message="; ".join(step.problems))
                failure.text = "\n".join(step.problems)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
