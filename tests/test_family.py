"""Family trees: which version was made from which, inside a group."""

from __future__ import annotations

import random

from conftest import SEED_001, read

from difftool.family import document_date, family_tree
from difftool.models import Document
from difftool.pipeline import prepare_text
from difftool.variants import edit_sentences, markdown_layout, pdf_layout, web_layout


def doc(name: str, text: str):  # type: ignore[no-untyped-def]
    return prepare_text(Document(name, text, "utf-8"))


def test_a_chain_and_a_branch_are_recovered_from_dated_versions():
    rng = random.Random(2)
    root = read(SEED_001)
    child, _ = edit_sentences(root, rng, edits=4)
    grandchild, _ = edit_sentences(child, rng, edits=4)
    sibling, _ = edit_sentences(root, rng, edits=4)
    texts = {
        "root": pdf_layout(root + "\n2024年1月5日\n"),
        "child": web_layout(child + "\n2024年3月1日\n"),
        "grandchild": markdown_layout(grandchild + "\n2024年6月9日\n"),
        "sibling": web_layout(sibling + "\n2024年2月2日\n"),
    }
    docs = {name: doc(name, text) for name, text in texts.items()}
    tree = family_tree(list(docs), "child", docs)
    assert tree is not None and tree.root == "root"
    assert tree.parent_of("child") == "root"
    assert tree.parent_of("grandchild") == "child"
    assert tree.parent_of("sibling") == "root"
    edge = next(e for e in tree.edges if e.child == "grandchild")
    assert edge.distance >= 1 and edge.summary


def test_undated_versions_hang_from_the_representative():
    rng = random.Random(5)
    root = read(SEED_001)
    a, _ = edit_sentences(root, rng, edits=3)
    docs = {"root": doc("root", root), "a": doc("a", a)}
    tree = family_tree(["root", "a"], "root", docs)
    assert tree is not None and tree.root == "root" and tree.parent_of("a") == "root"


def test_document_date_takes_the_latest():
    d = doc("d", "2022年3月1日起施行。\n印发日期：2023年12月4日\n")
    assert document_date(d) == (2023, 12, 4)


def test_dedup_tree_in_terminal_and_json(runner, tmp_path):
    import json

    from difftool.cli import cli

    text = read(SEED_001)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text.replace("4377", "4378"), encoding="utf-8")
    out = runner.invoke(cli, ["dedup", "--no-cache", "-q", "--tree", str(tmp_path)])
    assert "group 1:" in out.output and "figures 4377 → 4378" in out.output
    data = json.loads(
        runner.invoke(
            cli, ["dedup", "--no-cache", "-q", "--tree", "--format", "json", str(tmp_path)]
        ).output
    )
    tree = data["clusters"][0]["tree"]
    assert tree["root"].endswith("a.txt") and tree["edges"][0]["child"].endswith("b.txt")
    assert tree["edges"][0]["figures"] == [{"old": ["4377"], "new": ["4378"]}]
