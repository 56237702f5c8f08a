"""The Spark dedup engine: the same groups as the embedded engine, on a cluster.

Every document-level step runs in the executors with the embedded engine's own
functions (no second tokenizer, no second hash): reading, normalising and
fingerprinting (:func:`difftool.index._fingerprint_file`, or :func:`fingerprint` on a
table's text column), LSH band keys (:func:`difftool.fingerprint.band_keys`), the
short-document lookup (:class:`difftool.index.ShortLookup`), exact verification
(:func:`difftool.index.verify`) and each group's representative and members
(:func:`difftool.index.members`). The steps between are Spark's: band keys exploded and
grouped into buckets (a bucket over ``MAX_BUCKET`` documents is linked sparsely by
:func:`difftool.index.bucket_links`, as embedded, and counted), candidate pairs
deduplicated, and connected components found by
iterated min-label propagation over the edges (no edge list on the driver).

PySpark is an optional extra (``pip install 'docdiff[spark]'``); nothing here is
imported unless ``--engine spark`` is asked for.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from difftool.errors import DocdiffError
from difftool.fingerprint import Fingerprint, band_keys, fingerprint
from difftool.index import (
    DEFAULT_CONTAINMENT,
    DEFAULT_THRESHOLD,
    MAX_BUCKET,
    DedupResult,
    Member,
    ShortLookup,
    _fingerprint_file,
    bucket_links,
    could_join,
    is_short,
    lsh_params,
    members,
    number_clusters,
    verify,
)
from difftool.limits import DEFAULT_MAX_SIZE


class SparkMissing(DocdiffError):
    """PySpark is not installed."""


@dataclass
class SparkReport:
    """Where the time went, stage by stage, and how many buckets were linked sparsely."""

    stages: list[tuple[str, float]] = field(default_factory=list)
    capped_buckets: int = 0
    iterations: int = 0
    ui: str | None = None

    def mark(self, name: str, start: float) -> float:
        now = time.perf_counter()
        self.stages.append((name, now - start))
        return now


def session(master: str = "local[*]", conf: Sequence[tuple[str, str]] = ()) -> Any:
    """A Spark session (``spark-submit`` settings as ``conf``)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkMissing(
            "the Spark engine needs PySpark (and Java 17): pip install 'docdiff[spark]'"
        ) from None
    builder = SparkSession.builder.master(master).appName("docdiff dedup")
    # the executors run this interpreter, so that docdiff's own code is what they call
    builder = builder.config("spark.pyspark.python", sys.executable)
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    cores = _local_cores(master)
    if cores:  # local mode: a few partitions per core (Spark's 200 shuffle partitions
        # would start 200 Python tasks per stage for a folder of reports)
        given = {key for key, _ in conf}
        for key in ("spark.default.parallelism", "spark.sql.shuffle.partitions"):
            if key not in given:
                builder = builder.config(key, str(2 * cores))
    for key, value in conf:
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _local_cores(master: str) -> int | None:
    """The cores of a ``local``/``local[N]``/``local[*]`` master, None for a cluster."""
    if not master.startswith("local"):
        return None
    inside = master[len("local[") : -1] if master.startswith("local[") else "1"
    inside = inside.split(",")[0]
    if inside == "*":
        return os.cpu_count() or 1
    return int(inside) if inside.isdigit() else 1


# --- executors' work: each calls the embedded engine's functions -----------------------------


def _from_file(args: tuple[str, int, int, int]) -> tuple[str, Fingerprint | None, str | None, int]:
    path = args[0]
    fp_path, fp, error = _fingerprint_file(args)
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0
    return fp_path, fp, error, size


def _from_text(
    row: tuple[Any, Any], k: int, num_perm: int
) -> tuple[str, Fingerprint | None, str | None, int]:
    from difftool.normalise import TOKEN_STEPS, normalise

    key, text = str(row[0]), row[1]
    if not isinstance(text, str):
        return key, None, "no text in the text column", 0
    try:
        return (
            key,
            fingerprint(
                normalise(text, steps=TOKEN_STEPS, mapped=False).text, k=k, num_perm=num_perm
            ),
            None,
            len(text.encode("utf-8", "surrogatepass")),
        )
    except Exception as exc:  # one bad row is its error entry, never the run's
        return key, None, f"cannot fingerprint it ({type(exc).__name__}: {exc})", 0


def _band_rows(
    item: tuple[str, Fingerprint], bands: int, rows: int
) -> Iterator[tuple[tuple[int, int], str]]:
    import numpy as np

    key, fp = item
    signatures = np.stack([fp.signature, *fp.halves])
    for keys in band_keys(signatures, bands, rows):
        for band, value in enumerate(keys.tolist()):
            yield (band, value), key


def _bucket_pairs(members_: Iterable[str], capped: Any) -> Iterator[tuple[str, str]]:
    keys = sorted(set(members_))
    if len(keys) > MAX_BUCKET:
        capped.add(1)
    yield from bucket_links(keys)


# --- the driver ------------------------------------------------------------------------------


def dedup_spark(
    *,
    paths: Sequence[str] = (),
    table: str | None = None,
    id_column: str = "id",
    text_column: str = "text",
    threshold: float = DEFAULT_THRESHOLD,
    containment: float = DEFAULT_CONTAINMENT,
    k: int = 5,
    num_perm: int = 128,
    max_size: int = DEFAULT_MAX_SIZE,
    master: str = "local[*]",
    conf: Sequence[tuple[str, str]] = (),
    spark: Any = None,
    partitions: int | None = None,
    on_stage: Callable[[str], None] | None = None,
    report: SparkReport | None = None,
    collect: bool = True,
) -> tuple[DedupResult | None, Any]:
    """Group near-duplicates on Spark.

    Returns ``(result, None)`` with the groups collected on the driver, or, with
    ``collect=False`` (results too large for the driver), ``(None, frame)``: a DataFrame
    of ``id, group, representative, similarity, containment, partial``.

    Args:
        paths: files to read (visible to the executors: local paths in local mode, a
            shared mount on a cluster). The folders are walked by the caller.
        table: a Parquet file or folder, or JSON Lines (``.jsonl``/``.json``), of
            documents with ``id_column`` and ``text_column``.
    """
    report = report if report is not None else SparkReport()
    start = time.perf_counter()
    if spark is None:
        spark = session(master, conf)
        start = report.mark("JVM and session start-up", start)
    sc = spark.sparkContext
    report.ui = sc.uiWebUrl
    say = on_stage or (lambda _name: None)

    say("fingerprinting")
    slices = partitions or max(2, sc.defaultParallelism * 2)
    if table is not None:
        reader = spark.read.json if table.endswith((".json", ".jsonl")) else spark.read.parquet
        frame = reader(table).select(id_column, text_column)
        rows = frame.rdd.map(lambda r: (r[0], r[1]))
        done = rows.map(lambda r: _from_text(r, k, num_perm))
    else:
        work = [(p, k, num_perm, max_size) for p in paths]
        done = sc.parallelize(work, min(slices, max(1, len(work)))).map(_from_file)
    done = done.persist()
    errors = sorted(
        done.filter(lambda r: r[1] is None).map(lambda r: (r[0], r[2] or "unreadable")).collect()
    )
    fps = done.filter(lambda r: r[1] is not None).map(lambda r: (r[0], r[1])).persist()
    sizes = done.filter(lambda r: r[1] is not None).map(lambda r: (r[0], r[3]))
    count = fps.count()
    start = report.mark("read, normalise, fingerprint (Python workers)", start)

    say("exact copies and LSH buckets")
    # exact copies: the first key of each token sequence stands for the others
    by_hash = fps.map(lambda kv: (kv[1].key_hash, kv[0])).groupByKey().mapValues(sorted)
    exact_edges = by_hash.flatMap(lambda kv: [(kv[1][0], other) for other in kv[1][1:]])
    distinct = (
        by_hash.map(lambda kv: (kv[1][0], None))
        .join(fps)
        .map(lambda kv: (kv[0], kv[1][1]))
        .persist()
    )
    bands, rows_ = lsh_params(num_perm)
    capped = sc.accumulator(0)
    band_pairs = (
        distinct.flatMap(lambda kv: _band_rows(kv, bands, rows_))
        .groupByKey()
        .flatMap(lambda kv: _bucket_pairs(kv[1], capped))
    )
    shorts = dict(distinct.filter(lambda kv: is_short(kv[1])).collect())
    if shorts:
        lookup = sc.broadcast(ShortLookup(shorts))
        short_pairs = distinct.flatMap(lambda kv: lookup.value.pairs(kv[0], kv[1], containment))
        candidates = band_pairs.union(short_pairs).distinct()
    else:
        candidates = band_pairs.distinct()
    candidates = candidates.persist()
    n_candidates = candidates.count()
    report.capped_buckets = capped.value
    start = report.mark("band keys, buckets, candidate pairs (shuffle)", start)

    say("verifying candidates")
    verified = (
        candidates.join(distinct)
        .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
        .join(distinct)
        .filter(
            lambda kv: (
                could_join(kv[1][0][1], kv[1][1], threshold, containment)
                and verify(kv[1][0][1], kv[1][1], threshold, containment)[0]
            )
        )
        .map(lambda kv: (kv[1][0][0], kv[0]))
    )
    edges = verified.union(exact_edges).persist()
    edges.count()  # Spark is lazy: make the verification's time its own
    start = report.mark("exact verification (Python workers)", start)

    say("connected components")
    labels, report.iterations = _components(edges)
    start = report.mark("connected components (min-label propagation)", start)

    say("groups and representatives")
    member_fps = (
        labels.join(fps).join(sizes).map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1])))
    )
    clusters_rdd = member_fps.groupByKey().map(lambda kv: _group_members(kv[1], threshold))
    if not collect:  # too many groups for the driver: numbered and written by the executors
        frame = _groups_frame(spark, clusters_rdd)
        report.mark("representatives and members", start)
        return None, frame
    clusters = number_clusters(clusters_rdd.collect())
    report.mark("representatives and members", start)
    result = DedupResult(
        documents=count + len(errors),
        clusters=clusters,
        errors=tuple(errors),
        candidates=n_candidates,
    )
    return result, None


def _components(edges: Any) -> tuple[Any, int]:
    """Connected components of an edge RDD by iterated min-label propagation: every
    vertex takes the smallest label among itself and its neighbours until none changes
    (as many rounds as the longest shortest path in a group: a handful for versions)."""
    both = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])]).distinct().persist()
    labels = both.keys().distinct().map(lambda v: (v, v)).persist()
    rounds = 0
    while True:
        rounds += 1
        offers = both.join(labels).map(lambda kv: (kv[1][0], kv[1][1]))
        new = labels.union(offers).reduceByKey(min).persist()
        changed = new.join(labels).filter(lambda kv: kv[1][0] != kv[1][1]).count()
        labels.unpersist()
        labels = new
        if changed == 0:
            return labels, rounds


def _group_members(
    items: Iterable[tuple[str, Fingerprint, int]], threshold: float
) -> tuple[Member, ...]:
    rows = sorted(items, key=lambda item: item[0])
    fps = {key: fp for key, fp, _ in rows}
    sizes = {key: size for key, _, size in rows}
    return members([key for key, _, _ in rows], fps, sizes, threshold)


def _groups_frame(spark: Any, clusters: Any) -> Any:
    """The groups as a DataFrame, numbered as the embedded engine numbers them (largest
    first, then by representative), without collecting them."""
    ordered = clusters.sortBy(lambda m: (-len(m), m[0].path)).zipWithIndex()
    rows = ordered.flatMap(
        lambda mi: [
            (
                m.path,
                mi[1] + 1,
                mi[0][0].path,
                float(m.similarity),
                float(m.containment),
                bool(m.partial),
            )
            for m in mi[0]
        ]
    )
    schema = (
        "id string, group long, representative string, "
        "similarity double, containment double, partial boolean"
    )
    return spark.createDataFrame(rows, schema)


__all__ = ["SparkMissing", "SparkReport", "dedup_spark", "session"]
