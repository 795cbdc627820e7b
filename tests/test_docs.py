"""Docs a newcomer can follow: the API READMEs cite public sources (not files the
repository does not have), their links resolve, and the MyRewards variety table is there."""
import re
from pathlib import Path

import pytest

from sandbox.apis.myrewards.service.varieties import CREDIT, DEBIT, PROGRAMME_CONFIG, VARIETIES

ROOT = Path(__file__).resolve().parent.parent
API_READMES = sorted((ROOT / "sandbox" / "apis").glob("*/README.md"))
NEWCOMER_DOCS = API_READMES + [ROOT / "README.md"]
# what the project was built from but does not ship: research notes and the vendor documents' copies
NOT_IN_THE_REPOSITORY = [r"specs/", r"(?<![\w/])seeds?/", r"\b\d{3}_[0-9a-f]{16}\.txt\b", r"\batrium\.md\b",
                         r"\beagleeye\.md\b", r"\bmyrewards_saasquatch\.md\b", r"scenario-format\.md",
                         r"\bthe seed\b", r"\bseed's\b", r"\bseed \d{3}\b", r"\bdecisions? \d", r"\bresearch note"]
# everything the project ships or runs, docs and code alike (this file names the patterns)
SHIPPED = [ROOT / name for name in ("sandbox", "scenarios", "fixtures", "docs", "bench", "tests", ".ci", ".github")]
SHIPPED_FILES = [ROOT / "README.md", ROOT / "Dockerfile", ROOT / "pyproject.toml"]
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".html", ".js", ".css", ".toml", ".json", ".txt", ".sh", ""}


@pytest.mark.parametrize("doc", NEWCOMER_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_cite_nothing_outside_the_repository(doc):
    text = doc.read_text()
    for pattern in NOT_IN_THE_REPOSITORY:
        found = re.findall(rf".{{0,40}}{pattern}.{{0,40}}", text)
        assert not found, f"{doc.relative_to(ROOT)} cites {found}"


def test_code_scenarios_and_fixtures_cite_nothing_outside_the_repository():
    files = SHIPPED_FILES + [path for root in SHIPPED for path in root.rglob("*")
                             if path.is_file() and path.suffix in TEXT_SUFFIXES and "__pycache__" not in path.parts]
    files = [path for path in files if path != Path(__file__).resolve()]
    assert len(files) > 100
    found = []
    for path in files:
        text = path.read_text(errors="replace")
        found += [f"{path.relative_to(ROOT)}: {text[max(hit.start() - 40, 0):hit.end() + 40]}"
                  for hit in re.finditer("|".join(NOT_IN_THE_REPOSITORY), text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("doc", NEWCOMER_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_to_a_file_in_the_repository(doc):
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text())
    relative = [link for link in links if not re.match(r"^[a-z]+://", link)]
    for link in relative:
        assert (doc.parent / link).exists(), f"{doc.relative_to(ROOT)} links to {link}, which does not exist"


@pytest.mark.parametrize("readme", API_READMES, ids=lambda p: p.parent.name)
def test_each_api_readme_lists_its_public_sources(readme):
    text = readme.read_text()
    sources = text[text.index("Sources (public):"):]
    sources = sources[: sources.index("\n\n")]
    assert len(re.findall(r"\]\((https://[^)]+)\)", sources)) >= 3


def test_the_myrewards_readme_has_the_variety_table_the_sandbox_applies():
    text = (ROOT / "sandbox" / "apis" / "myrewards" / "README.md").read_text()
    rows = re.findall(r"^\s*\| ([A-Z][\w ]+?) \| (Yes|No|Programme config dependant) \| (either|Debit only|Credit only)"
                      r"(?: \(.*\))? \|$", text, re.M)
    affects = {"Yes": True, "No": False, "Programme config dependant": PROGRAMME_CONFIG}
    permitted = {"either": frozenset({CREDIT, DEBIT}), "Debit only": frozenset({DEBIT}),
                 "Credit only": frozenset({CREDIT})}
    table = [(name, affects[pool], permitted[kind]) for name, pool, kind in rows]
    assert table == [(v.name, v.affects_pool, v.permitted) for v in VARIETIES]
