"""The Spark engine in local mode gives the embedded engine's groups, exactly, from a
folder and from a Parquet table of a generated corpus (thousands of documents with
known groups: re-laid-out, re-encoded and Traditional copies, and short excerpts).

Needs PySpark (the ``test`` extra installs it) and Java 17. Skipped where either is
missing, except where ``DOCDIFF_REQUIRE_SPARK=1`` (CI sets it), where that fails.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import ALL_SEEDS, genre_texts, missing

from difftool.index import dedup
from difftool.load import load
from difftool.variants import markdown_layout, paragraphs, pdf_layout, web_layout

DOCUMENTS = 2000


@pytest.fixture(scope="module")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("PySpark", "pip install '.[spark]'", "DOCDIFF_REQUIRE_SPARK")
    if shutil.which("java") is None:
        missing("Java", "apt-get install openjdk-17-jre-headless", "DOCDIFF_REQUIRE_SPARK")
    from difftool.engines.spark import session

    spark = session("local[2]")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """About 2,000 documents: originals of 4-9 paragraphs, and 10% copies of them in
    another layout, script or encoding, and excerpts of 60-150 characters."""
    import opencc

    rng = random.Random(13)
    pool = [p for text in genre_texts() for p in paragraphs(text) if len(p) > 40]
    root = tmp_path_factory.mktemp("spark-corpus")
    t2s = opencc.OpenCC("s2t")
    made = 0
    originals: list[str] = []
    while made < DOCUMENTS:
        kind = rng.random()
        folder = root / f"f{made % 17}"
        folder.mkdir(exist_ok=True)
        path = folder / f"d{made:05d}.txt"
        if originals and kind < 0.06:
            source = rng.choice(originals)
            layout = rng.choice([pdf_layout, web_layout, markdown_layout])
            text = layout(source)
            if rng.random() < 0.3:
                text = t2s.convert(text)
            if rng.random() < 0.3:
                path.write_bytes(text.encode("gb18030"))
            else:
                path.write_text(text, encoding="utf-8")
        elif originals and kind < 0.10:
            source = "".join(paragraphs(rng.choice(originals)))
            start = rng.randrange(max(1, len(source) - 150))
            path.write_text(source[start : start + rng.randint(60, 150)], encoding="utf-8")
        else:
            text = "\n".join(rng.sample(pool, rng.randint(4, 9)))
            originals.append(text)
            path.write_text(text, encoding="utf-8")
        made += 1
    return root


def groups_of(result) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return sorted((c.representative, sorted(m.path for m in c.members)) for c in result.clusters)


def test_spark_groups_are_identical_to_embedded_from_a_folder_and_a_table(spark, corpus, tmp_path):
    from difftool.engines.spark import dedup_spark
    from difftool.load.walk import walk

    files = walk([corpus]).files
    assert len(files) == DOCUMENTS
    embedded = dedup([corpus], cache=False)
    assert len(embedded.clusters) > 50  # the corpus has many groups, excerpts among them
    assert any(m.partial for c in embedded.clusters for m in c.members)
    from_folder, _ = dedup_spark(paths=files, spark=spark)
    assert groups_of(from_folder) == groups_of(embedded)
    assert [c.id for c in from_folder.clusters] == [c.id for c in embedded.clusters]
    embedded_members = {
        m.path: (round(m.similarity, 6), round(m.containment, 6), m.partial)
        for c in embedded.clusters
        for m in c.members
    }
    spark_members = {
        m.path: (round(m.similarity, 6), round(m.containment, 6), m.partial)
        for c in from_folder.clusters
        for m in c.members
    }
    assert spark_members == embedded_members
    # the same documents as a Parquet table of (id, text), made with Spark itself
    rows = [(path, load(path).text) for path in files]
    table = tmp_path / "docs.parquet"
    spark.createDataFrame(rows, "id string, text string").write.parquet(str(table))
    from_table, _ = dedup_spark(table=str(table), spark=spark)
    assert groups_of(from_table) == groups_of(embedded)


def test_groups_parquet_output_and_the_cli(spark, corpus, tmp_path, runner):
    from difftool.engines.spark import dedup_spark

    files = sorted(str(p) for p in (corpus / "f0").glob("*.txt"))
    result, _ = dedup_spark(paths=files, spark=spark)
    _, frame = dedup_spark(paths=files, spark=spark, collect=False)
    rows = {r["id"]: (r["group"], r["representative"]) for r in frame.collect()}
    expected = {m.path: (c.id, c.representative) for c in result.clusters for m in c.members}
    assert rows == expected


def test_without_pyspark_the_engine_says_how_to_install(runner, monkeypatch):
    import sys

    from difftool.cli import cli

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    result = runner.invoke(cli, ["dedup", "--engine", "spark", str(ALL_SEEDS[0].parent)])
    assert result.exit_code == 2 and "pip install 'docdiff[spark]'" in result.output
