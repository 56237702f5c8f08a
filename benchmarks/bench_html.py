"""Size and opening time of the HTML report on a large pair, in headless Chromium.

A pair of about ``--mb`` MB each (report text in PDF layout against an edited web copy,
as in ``bench_diff.py``) is rendered to HTML; the report's size and the time Chromium
takes to load it (navigation to the load event, median of ``--repeat``) are compared,
in the same run, with a reference page holding just the two texts in ``<pre>`` (what
any report of both documents must at least carry).

    python benchmarks/bench_html.py --mb 1 --repeat 5
"""

from __future__ import annotations

import argparse
import html
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_diff import long_pair  # noqa: E402

from difftool.comparison import compare_files  # noqa: E402
from difftool.render import html as render_html  # noqa: E402


def load_times(paths: list[Path], repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    times: dict[Path, list[float]] = {p: [] for p in paths}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for _ in range(repeat):
            for path in paths:  # alternating: noise hits both alike
                page = browser.new_page()
                start = time.perf_counter()
                page.goto(path.as_uri(), wait_until="load")
                times[path].append(time.perf_counter() - start)
                page.close()
        browser.close()
    return [statistics.median(times[p]) for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        a, b = long_pair(Path(tmp), args.mb)
        start = time.perf_counter()
        comparison = compare_files(a, b)
        report = Path(tmp) / "report.html"
        report.write_text(render_html.render(comparison), encoding="utf-8")
        made = time.perf_counter() - start
        reference = Path(tmp) / "reference.html"
        texts = "".join(f"<pre>{html.escape(p.read_text(encoding='utf-8'))}</pre>" for p in (a, b))
        reference.write_text(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{texts}</body></html>',
            encoding="utf-8",
        )
        t_report, t_reference = load_times([report, reference], args.repeat)
        size_in = (a.stat().st_size + b.stat().st_size) / 2e6
        r_size, ref_size = report.stat().st_size / 1e6, reference.stat().st_size / 1e6
        print(f"pair: {size_in:.1f} MB each, {len(comparison.changes)} changes")
        print(f"{'page':<32}{'MB':>8}{'open s':>9}")
        print(f"{'docdiff report':<32}{r_size:>8.2f}{t_report:>9.3f}   (made in {made:.2f} s)")
        print(f"{'reference: both texts in <pre>':<32}{ref_size:>8.2f}{t_reference:>9.3f}")
        print(
            f"ratio report / reference: size {r_size / ref_size:.2f}, open {t_report / t_reference:.2f}"
        )


if __name__ == "__main__":
    main()
