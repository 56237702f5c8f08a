"""Rendering: the terminal view into a string console, Markdown, unified diff, JSON."""

from __future__ import annotations

import io
import json
import re
from itertools import pairwise

from conftest import SEED_000, SEED_001
from rich.console import Console
from rich.text import Text

from difftool.comparison import compare_files
from difftool.render import json as render_json
from difftool.render import markdown, terminal, unified


def render(renderable, width: int = 100, color: bool = False) -> str:
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=color,
        color_system="truecolor" if color else None,
    )
    console.print(renderable)
    return console.file.getvalue()


COMPARISON = compare_files(SEED_000, SEED_001)


def test_terminal_view_shows_summary_headings_and_changes():
    out = render(terminal.view(COMPARISON))
    assert "similarity 96.5% · 3 changed · 0 inserted · 9 removed · 0 moved · 84 unchanged" in out
    assert "- 广东省[-药品-]监督管理局：" in out  # A's own text: full-width colon
    assert "+ 广东省{+市场+}监督管理局:" in out  # B's own text: half-width
    assert "removed · （四）法治宣传水平持续提升。 · a line 188-190 · b line 11" in out
    assert "- 送选的《看视频涨知识，教您科学选购儿童化妆品！》参赛作品" in out
    # one sentence of dimmed context before and after by default
    assert "“一监到底”网络直播累计199期" in out


def test_terminal_view_styles_deleted_and_inserted_words_by_span():
    old, new = terminal.op_rows(COMPARISON, COMPARISON.changes[1], "color")
    assert [(old[0].plain[s.start : s.end], s.style) for s in old[0].spans] == [
        ("药品", terminal.DELETE)
    ]
    assert [(new[0].plain[s.start : s.end], s.style) for s in new[0].spans] == [
        ("市场", terminal.INSERT)
    ]
    out = render(terminal.view(COMPARISON), color=True)
    # the inserted word is styled on its own, not the whole first row
    assert "广东省\x1b[1;4;32m市场\x1b[0m监督管理局" in out


def test_context_zero_shows_no_context():
    out = render(terminal.view(COMPARISON, context=0))
    assert "“一监到底”网络直播累计" not in out


def test_verbose_header_lists_notes():
    out = render(terminal.view(COMPARISON, verbose=True))
    assert "joined 103 wrapped lines" in out


def test_side_by_side_lines_up_cjk_columns():
    out = render(terminal.view(COMPARISON, side_by_side=True), width=90)
    table_lines = [line for line in out.splitlines() if line.startswith(("│", "┃"))]
    assert table_lines
    widths = {Text(line).cell_len for line in table_lines}
    assert widths == {90}  # every row is exactly the console width: CJK measured as 2 cells
    assert "广东省" in out


def test_markdown_change_list():
    out = markdown.render(COMPARISON)
    assert out.startswith("# Changes from ")
    assert "2. **Changed** (a line 9; b line 1)\n   - old: 广东省~~药品~~监督管理局：\n" in out
    assert "   - new: 广东省**市场**监督管理局:\n" in out
    assert out.count("\n1. ") + out.count("\n7. ") == 2
    # each removed sentence on its own line
    assert "   - old: 公开方式：主动公开\n   - old: 江门市市场监督管理局办公室" in out


def test_unified_diff_over_sentences():
    out = unified.render(COMPARISON)
    lines = out.splitlines()
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ ")
    assert "-广东省药品监督管理局" in lines
    assert "+广东省市场监督管理局" in lines


def test_json_written_op_by_op_is_the_json_of_the_whole(tmp_path):
    """The report is written a piece at a time (its dicts held whole took twelve times
    its bytes), and is byte for byte what dumping the whole dict gives: with ops, with
    one, and with none."""
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    for a, b in ((SEED_000, SEED_001), (SEED_000, SEED_000), (empty, empty)):
        comparison = compare_files(a, b)
        whole = json.dumps(render_json.to_dict(comparison), ensure_ascii=False, indent=2)
        assert render_json.render(comparison) == whole
        ops = len(comparison.ops)
        # the head, each op, and the end
        assert len(list(render_json.pieces(comparison))) == 1 + ops + 1
    assert [len(compare_files(a, b).ops) for a, b in ((SEED_000, SEED_000), (empty, empty))] == [
        1,
        0,
    ]


def test_json_has_the_documented_shape():
    data = json.loads(render_json.render(COMPARISON))
    assert set(data) >= {"a", "b", "similarity", "summary", "ops"}
    assert set(data["a"]) >= {"path", "encoding", "sentences", "notes"}
    for op in data["ops"]:
        assert op["op"] in {"equal", "change", "insert", "delete", "move"}
        assert set(op) >= {"a_range", "b_range", "a_text", "b_text", "similarity"}
    covered = sorted(i for op in data["ops"] for i in range(*op["a_range"]))
    assert covered == list(range(data["a"]["sentences"]))


def test_shown_text_joins_hard_wraps_as_the_key_does():
    from difftool import redline
    from difftool.models import Document
    from difftool.pipeline import prepare_text

    lines = ["为指导，深入学习贯彻党的二十大精神，全面贯彻习近平法治思想、认真落实部署要求" * 1] * 6
    cjk = prepare_text(Document("a", "\n\n".join(lines) + "。\n", "utf-8"))
    assert "\n" not in redline.sentence_text(cjk, 0)
    english = prepare_text(Document("b", "We thank the State Council for\nits support.\n", "utf-8"))
    assert redline.sentence_text(english, 0) == "We thank the State Council for its support."


def test_narrow_terminal_keeps_the_hunk_locations_whole():
    out = render(terminal.view(COMPARISON), width=40)
    flat = " ".join(out.split())
    assert "removed, changed · a line 1-19 · b line 1-2" in flat  # not cut off with "…"


def test_dedup_json_is_one_line_per_group_and_parses_back(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from difftool.index import dedup
    from difftool.render import json_text
    from difftool.render.groups import render_json, to_dict

    for name, seed in (("a.txt", SEED_000), ("b.txt", SEED_001), ("c.txt", SEED_000)):
        (tmp_path / name).write_bytes(seed.read_bytes())
    (tmp_path / "bad.bin").write_bytes(b"\x00" * 4096)
    result = dedup([tmp_path], cache=False, jobs=1)
    text = render_json(result)
    assert json.loads(text) == to_dict(result)
    lines = text.splitlines()
    group_lines = [line for line in lines if line.lstrip().startswith('{"id"')]
    assert len(group_lines) == len(result.clusters) == 1
    assert json.loads(group_lines[0].rstrip(","))["members"][0]["path"].endswith(".txt")
    assert any('"error"' in line for line in lines)  # the unreadable file, on its line

    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=10,
    )

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.sampled_from(["clusters", "errors", "x"]), values, max_size=3))
    def parses_back(data):  # type: ignore[no-untyped-def]
        assert json.loads(json_text(data, rows=("clusters", "errors"))) == data

    parses_back()


def test_dedup_table_on_a_narrow_terminal_keeps_figures_whole(tmp_path):
    from difftool.index import dedup
    from difftool.render.groups import GroupsView

    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_bytes(SEED_000.read_bytes())
    (tmp_path / "c.txt").write_bytes(SEED_001.read_bytes())
    (tmp_path / "broken.bin").write_bytes(b"\x00\xff" * 100)
    result = dedup([tmp_path], cache=False, jobs=1)
    wide, narrow = render(GroupsView(result), 100), render(GroupsView(result), 50)
    assert "similarity" in wide and "contained" in wide
    header = next(line for line in narrow.splitlines() if "document" in line)
    assert header.split() == ["#", "document", "sim", "in", "size"]  # no column rules
    assert "┃" not in narrow and "│" not in narrow
    assert "100.0%" in narrow and "92.2%" in narrow  # not cut or folded
    assert all(len(line) <= 50 for line in narrow.splitlines())
    # an error line too long for the terminal folds under its own start
    lines = narrow.splitlines()
    first = next(i for i, line in enumerate(lines) if "broken" in line)
    error = lines[first:]
    assert len(error) >= 2 and " ".join(line.strip() for line in error).endswith("text documents")
    assert all(line.startswith("  ") and line.strip() for line in error)


def test_match_table_on_a_narrow_terminal_keeps_paths_and_figures(tmp_path):
    from difftool.matching import match
    from difftool.render.matches import MatchView

    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in (SEED_000, SEED_001):
        (archive / seed.name).write_bytes(seed.read_bytes())
    (archive / "broken.bin").write_bytes(b"\x00\xff" * 100)
    filed = tmp_path / "filed.txt"
    filed.write_text(SEED_001.read_text(encoding="utf-8").replace("2791.19", "2791.20"))
    result = match(filed, [archive], cache=False, jobs=1)
    wide, narrow = render(MatchView(result), 120), render(MatchView(result), 50)
    assert "archived version" in wide and "similar" in wide
    lines = narrow.splitlines()
    assert all(len(line) <= 50 for line in lines)
    header = next(line for line in lines if "version" in line)
    assert header.split() == ["#", "version", "sim", "in", "chg", "+", "-", "mv"]
    assert "┃" not in narrow and "│" not in narrow  # no column rules: the room is the paths'
    rows = [line for line in lines if line[:2] in ("1 ", "2 ")]
    assert len(rows) == 2 and "99.9%" in rows[0]  # each candidate's row, figures whole
    body = lines[lines.index(rows[0]) : next(i for i, x in enumerate(lines) if "closest" in x)]
    # each row's version cell: what comes before its first figure
    table = "".join(re.split(r"\s+\d+\.\d%", line[2:])[0].strip() for line in body)
    assert SEED_001.name in table and SEED_000.name in table  # the paths, folded
    first = next(i for i, line in enumerate(lines) if "broken" in line)
    assert all(line.startswith("  ") and line.strip() for line in lines[first:])


def test_a_row_end_never_cuts_a_word_diff_marker_in_two():
    """CJK text has no spaces to wrap at: without colour, git's markers (``{+…+}``,
    ``[-…-]``) must stay whole across row ends (``省局法治{`` / ``+工作+}`` was seen), and
    no row may be wider than the terminal. Seed 002 against 000 has many markers."""
    from conftest import SEED_002
    from rich.cells import cell_len

    comparisons = [COMPARISON, compare_files(SEED_002, SEED_000)]
    cuts = 0
    for comparison in comparisons:
        for width in range(20, 101, 3):
            rows = render(terminal.view(comparison), width=width).split("\n")
            assert all(cell_len(row) <= width for row in rows)
            for row, following in pairwise(rows):
                if row.startswith(("- ", "+ ", "  ")) and following.startswith("  "):
                    pair = row.rstrip()[-1:] + following[2:3]
                    assert pair not in ("[-", "-]", "{+", "+}"), (width, row, following)
                    cuts += 1
    assert cuts > 100  # rows did wrap: the check saw many row ends
    # the whole body is still there, markers and all
    out = render(terminal.view(COMPARISON), width=30)
    assert "[-" in out and "{+" in out


def test_a_side_by_side_cell_never_cuts_a_word_diff_marker_in_two():
    """The same in two columns: each cell's rows keep git's markers whole, and the
    table's rows are still exactly the terminal's width."""
    from conftest import SEED_002
    from rich.cells import cell_len

    comparison = compare_files(SEED_002, SEED_000)
    cuts = 0
    for width in range(50, 131, 7):
        out = render(terminal.view(comparison, side_by_side=True), width=width)
        rows = [row for row in out.split("\n") if row.startswith("│")]
        assert {cell_len(row) for row in rows} == {width}
        cells = [row.split("│")[1:-1] for row in rows]
        for row, following in pairwise(cells):
            for cell, below in zip(row, following):
                if cell.strip() and below.strip():
                    assert cell.rstrip()[-1:] + below.strip()[:1] not in ("[-", "-]", "{+", "+}")
                    cuts += 1
    assert cuts > 100


def test_a_row_end_never_swallows_the_spaces_of_an_edit(tmp_path):
    """Rich wraps at spaces and drops the space it wraps at: an edit of spaces at a row
    end was shown as ``{+`` / ``+}``, or in colour as an underline of nothing."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    words = "The State Council report said that growth was strong this year and that the"
    a.write_text(f"{words} outlook is good for all of us here today.\n", encoding="utf-8")
    b.write_text(f"{words} outlook is good for all of us  here today.\n", encoding="utf-8")
    comparison = compare_files(a, b, strict=True)
    cut_at_the_edit = 0
    for width in range(30, 131):
        out = render(terminal.view(comparison), width=width)
        assert "us{+  +}here" in out, width
        cut_at_the_edit += "us{+" in out.replace("us{+  +}", "")
        coloured = render(terminal.view(comparison), width=width, color=True)
        assert "us\x1b[1;4;32m  \x1b[0mhere" in coloured, width
    assert cut_at_the_edit == 0
