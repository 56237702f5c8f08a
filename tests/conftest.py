"""Shared fixtures: the seeds, a CLI runner, temporary copies of documents."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# CI runs the property tests on the examples derived from each test (the same ones
# every run), so that a run's verdict is the code's, not the draw's; a developer's run
# draws new examples each time and finds what is left (pin each find with @example).
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_000 = SEEDS / "000_4f0e4c14661ce8e0.txt"  # Jiangmen report, PDF text, to the drug bureau
SEED_001 = SEEDS / "001_c26eec80d6460b41.txt"  # the same report, web text, to the market bureau
SEED_002 = SEEDS / "002_44e01023ab09b4aa.txt"  # Zhongshan, Traditional, pinyin, mojibake
SEED_003 = SEEDS / "003_7b4cfac81b025e2b.txt"  # Markdown
SEED_004 = SEEDS / "004_25c9dd4cbcffce15.txt"  # web page with chrome
ALL_SEEDS = (SEED_000, SEED_001, SEED_002, SEED_003, SEED_004)
#: The 52 national government work reports, beside the repository (as CI has them).
CORPUS = ROOT.parent / "shared" / "corpus" / "national_work_reports"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def missing(what: str, install: str, required_by: str) -> None:
    """Skip a test whose tool is not installed, or fail it where the environment
    variable ``required_by`` is 1 (CI sets it: there a missing tool is a failure)."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but {what} is not installed")
    pytest.skip(f"{what} is not installed ({install})")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def genre_texts() -> list[str]:
    """Report texts to cut test documents from: the national work reports in
    ``../shared`` (as CI has them), then the seeds.

    A clone on its own has no ``../shared``: then 52 stand-in reports are made from the
    seeds' sentences, three at a time with their characters shuffled (a fixed seed).
    They are as unrelated to one another as real reports, but lack the genre's stock
    phrases, so the tests that use them are the same tests on easier text.
    """
    from difftool.load import load

    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    seeds = [load(p).text for p in ALL_SEEDS]
    if not texts:
        rng = random.Random(52)
        sentences = [s for t in seeds for s in t.replace("\n", "").split("。") if len(s) > 20]
        for _ in range(52):
            paragraphs = []
            for _ in range(60):
                chars = list("".join(rng.sample(sentences, 3)))
                rng.shuffle(chars)
                paragraphs.append("".join(chars) + "。")
            texts.append("\n".join(paragraphs))
    return texts + seeds
