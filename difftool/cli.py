"""The ``docdiff`` command: parse arguments, call the library, print, map errors to exit codes.

Exit status follows ``diff``: 0 no differences, 1 differences, 2 trouble.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

if TYPE_CHECKING:
    import subprocess

from difftool import __version__
from difftool.errors import DocdiffError

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2


class Share(click.FloatRange):
    """A number between 0 and 1; ``nan`` (which every comparison lets through) refused."""

    name = "share"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail("nan is not a number between 0 and 1", param, ctx)
        return number


class DefaultGroup(click.Group):
    """A group whose default command is ``diff``: ``docdiff A B`` means ``docdiff diff A B``."""

    default_command = "diff"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((a for a in args if not a.startswith("-") or a == "-"), None)
        asks_group = bool(args) and args[0] in ("--help", "-h", "--version")
        if not asks_group and args and first not in self.commands:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Usage errors are one line on stderr and exit status 2, like every other error."""
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            hint = (
                f" (docdiff {exc.ctx.info_name} --help)"
                if exc.ctx and exc.ctx.info_name != "docdiff"
                else ""
            )
            _fail(f"{exc.format_message()}{hint}")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except click.Abort:
            click.echo("docdiff: interrupted", err=True)
            sys.exit(130)


def _fail(message: str) -> None:
    click.echo(f"docdiff: {message}", err=True)
    sys.exit(EXIT_TROUBLE)


_DECIDED = "docdiff.decided"


def _decided(status: int) -> int:
    """Record the exit status a command has settled before it prints its report (a diff's
    answer is known once compared): the status it exits with if the reader stops
    reading (``docdiff A B | head`` exited 0, "no differences", when the pipe closed)."""
    click.get_current_context().meta[_DECIDED] = status
    return status


def run_safely(fn: Callable[..., int]) -> Callable[..., None]:
    """Run a command body; turn library errors into one line on stderr and exit status 2."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            status = fn(*args, **kwargs)
        except DocdiffError as exc:
            _fail(str(exc))
        except BrokenPipeError:  # the reader stopped reading (``| head``): the answer
            # stands if the command had one before printing; nothing is flushed
            ctx = click.get_current_context(silent=True)
            decided = ctx.meta.get(_DECIDED) if ctx is not None else None
            if decided is None:
                decided = EXIT_TROUBLE if sys.stdout.isatty() else EXIT_SAME
            os._exit(decided)
        except KeyboardInterrupt:
            click.echo("docdiff: interrupted", err=True)
            sys.exit(130)
        except MemoryError:
            _fail("out of memory")
        except Exception as exc:  # a bug of ours: still one line, unless debugging
            if os.environ.get("DOCDIFF_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set DOCDIFF_DEBUG=1 for details)")
        sys.exit(status)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@click.group(
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=False,
)
@click.version_option(__version__, prog_name="docdiff")
def cli() -> None:
    """Tell what really differs between versions of an official document.

    \b
    docdiff A B                 sentence-aligned diff of two versions
    docdiff normalise FILE      the comparison key: layout noise removed
    docdiff dedup FOLDER...     groups of near-duplicate versions
    docdiff match FILED PATH... which archived version was filed
    docdiff apply PLAN --move-to Q  carry out a reviewed dedup plan (undo: docdiff undo)

    Exit status: 0 no differences, 1 differences, 2 trouble.
    """


def _console(color: str, file: TextIO | None = None) -> Any:
    """A console for stdout (or ``file``): ``always`` beats ``NO_COLOR`` (an explicit
    request), ``auto`` honours it and colours only a terminal."""
    from rich.console import Console

    if color == "always":
        return Console(file=file, force_terminal=True, no_color=False, highlight=False)
    if color == "never":
        return Console(file=file, no_color=True, color_system=None, highlight=False, emoji=False)
    return Console(file=file, highlight=False)


_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _no_trailing_spaces(text: str) -> str:
    """``text`` without the spaces rich leaves at the ends of lines it wrapped or padded;
    colour codes among them are kept."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.endswith((" ", "\t", "m")):
            continue
        codes = []
        while True:
            line = line.rstrip(" \t")
            at = line.rfind("\x1b[")
            if at < 0 or not _CODE.fullmatch(line, at):
                break
            codes.append(line[at:])
            line = line[:at]
        lines[i] = line + "".join(reversed(codes))
    return "\n".join(lines)


def _show(color: str, *renderables: Any, output: str | None = None) -> None:
    """Print to stdout, or write to the file ``output``, a batch at a time (see
    :func:`difftool.render.batches`); to a file or a pipe without the spaces rich pads
    lines with, so that a saved report has no trailing whitespace."""
    if output not in (None, "-"):
        assert output is not None
        with _report_file(output) as handle:
            _print(_console(color, handle), renderables, handle)
        return
    _print(_console(color), renderables, sys.stdout)


def _print(console: Any, renderables: Iterable[Any], out: TextIO) -> None:
    from difftool.render import batches

    for renderable in renderables:
        for batch in batches(renderable, console):
            if out.isatty():
                console.print(batch)
                continue
            with console.capture() as capture:
                console.print(batch)
            out.write(_no_trailing_spaces(capture.get()))


def _print_paged(renderable: Any, color: str, pager: bool, output: str | None = None) -> None:
    """Print to stdout (or write to ``output``); through a pager (``$PAGER``, else
    ``less -FRX``) when stdout is a terminal and the output is taller than it, colour
    kept, as git does. Batches are rendered as the pager reads them: the report is never
    held whole, and quitting the pager stops the rendering."""
    if not pager or not sys.stdout.isatty() or output not in (None, "-"):
        _show(color, renderable, output=output)
        return
    from difftool.render import batches

    console = _console(color)
    held: list[str] = []  # what is rendered before it is known to need a pager
    lines = 0
    paging = False  # decided once the report is taller than the terminal
    proc = None  # the pager; None when paging and none could be started
    for batch in batches(renderable, console):
        with console.capture() as capture:
            console.print(batch)
        out = capture.get()
        if not paging:
            held.append(out)
            lines += out.count("\n")
            if lines < console.size.height:
                continue
            paging, proc = True, _pager()
            out, held = "".join(held), []
        if proc is None or proc.stdin is None:  # no pager to be had: the terminal
            sys.stdout.write(out)
            continue
        try:
            proc.stdin.write(out.encode("utf-8", "replace"))
        except BrokenPipeError:  # the reader quit the pager
            break
    sys.stdout.write("".join(held))
    if proc is not None and proc.stdin is not None:
        with suppress(BrokenPipeError):
            proc.stdin.close()
        proc.wait()


def _pager() -> subprocess.Popen[bytes] | None:
    """The pager process, reading from a pipe; None when it cannot be started."""
    import shlex
    import subprocess

    command = os.environ.get("DOCDIFF_PAGER") or os.environ.get("PAGER") or "less"
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    try:
        return subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return None


def _emit(text: str | Iterable[str], output: str | None) -> None:
    """Write a rendered report, whole or piece by piece, to ``output`` (``-`` or None:
    stdout). The file is written beside its final name and renamed, so a failed run
    leaves no half report."""
    pieces = [text] if isinstance(text, str) else text
    if output in (None, "-"):
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    assert output is not None
    with _report_file(output) as handle:
        for piece in pieces:
            handle.write(piece)


def _not_over_inputs(output: str | None, *inputs: str) -> None:
    """Refuse ``-o`` naming a document being compared: the report would replace it."""
    if output in (None, "-") or not os.path.exists(output):
        return
    for path in inputs:
        with suppress(OSError):
            if path != "-" and os.path.samefile(output, path):
                raise DocdiffError(f"{output}: is a document being compared; not overwritten")


@contextmanager
def _report_file(output: str) -> Iterator[TextIO]:
    """A report file opened beside its final name (``output.part``) and renamed into
    place when the writing ends; removed when it fails."""
    tmp = f"{output}.part"
    try:
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as handle:
            yield handle
        os.replace(tmp, output)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise DocdiffError(f"{output}: cannot write the report: {exc.strerror}") from exc
    except BaseException:  # an interrupted report is no report
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _size_value(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    from difftool.limits import DEFAULT_MAX_SIZE, parse_size

    if value is None:
        return DEFAULT_MAX_SIZE
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


#: ``--max-size``, shared by every command that reads documents.
max_size_option = click.option(
    "--max-size",
    callback=_size_value,
    default=None,
    metavar="SIZE",
    help="Largest document read (300M, 2G...); a larger one is refused. [default: 256M]",
)

#: ``-o/--output``, shared by the commands that write reports.
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Write the report to this file ('-' for standard output).",
)

#: ``--color``, shared by the commands that draw on a terminal.
color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the terminal output (NO_COLOR is honoured in auto).",
)


@cli.command("diff")
@click.argument("a", type=click.Path(dir_okay=True))
@click.argument("b", type=click.Path(dir_okay=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "unified", "markdown", "html"]),
    default="terminal",
    show_default=True,
    help="Output form (html: a self-contained redline report).",
)
@output_option
@click.option(
    "--context",
    "-C",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Sentences of context around each change (terminal and unified forms).",
)
@click.option(
    "--side-by-side", "-y", is_flag=True, help="Old and new in two columns (terminal form)."
)
@color_option
@click.option(
    "--word-diff",
    type=click.Choice(["color", "plain", "none"]),
    default=None,
    help="How edited words are marked: colour, git's [-…-]{+…+} markers, or not at all."
    " [default: color when colouring, else plain]",
)
@click.option(
    "--figures",
    is_flag=True,
    help="End the terminal view with a table of every changed figure (the other forms "
    "always give the figures).",
)
@click.option(
    "--ignore-punctuation",
    is_flag=True,
    help="Do not report punctuation-only edits (a statement that became a question still is).",
)
@click.option("--no-pager", is_flag=True, help="Never page the output.")
@click.option(
    "--threshold",
    type=Share(0.0, 1.0),
    default=None,
    help="Similarity (0..1) below which two sentences count as a removal and an insertion. [default: 0.3]",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Also report differences normalisation hides: punctuation width, script, layout.",
)
@click.option("--verbose", "-v", is_flag=True, help="Show what loading and normalising did.")
@max_size_option
@run_safely
def diff_command(
    a: str,
    b: str,
    fmt: str,
    output: str | None,
    context: int,
    side_by_side: bool,
    color: str,
    word_diff: str | None,
    figures: bool,
    ignore_punctuation: bool,
    no_pager: bool,
    threshold: float | None,
    strict: bool,
    verbose: bool,
    max_size: int,
) -> int:
    """Show what differs between versions A and B, sentence by sentence.

    Layout noise (line wraps, page numbers, full-width punctuation, Traditional script,
    Markdown) is ignored; inserted, removed, changed and moved sentences are shown in
    each file's own text with the changed words and figures highlighted. A statement
    that became a question is a change; other punctuation edits are reported apart.
    This is the default command: `docdiff A B` is `docdiff diff A B`.

    \b
    Examples:
      docdiff old.pdf new.docx                 changes in the terminal
      docdiff -C 2 --figures old.txt new.txt   more context, then every changed figure
      docdiff --format json a.txt b.txt        for scripts
      docdiff --color never a.txt b.txt | less [-removed-]{+inserted+} markers
      cat new.txt | docdiff old.txt -          B from standard input
    """
    from difftool.align import DEFAULT_THRESHOLD
    from difftool.comparison import compare_files

    if a == "-" and b == "-":
        raise DocdiffError("only one of A and B can be standard input ('-')")
    _not_over_inputs(output, a, b)
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    comparison = compare_files(
        a,
        b,
        threshold=threshold,
        strict=strict,
        ignore_punctuation=ignore_punctuation,
        max_size=max_size,
    )
    status = _decided(EXIT_DIFFERENT if comparison.differs else EXIT_SAME)
    if fmt == "json":
        from difftool.render import json as render_json

        _emit(chain(render_json.pieces(comparison), ["\n"]), output)
    elif fmt == "html":
        from difftool.render import html

        settings = {"threshold": threshold, "strict": strict}
        if ignore_punctuation:
            settings["ignore_punctuation"] = True
        _emit(html.render(comparison, settings=settings), output)
    elif fmt == "unified":
        from difftool.render import unified

        out = unified.render(comparison, context=max(context, 0))
        _emit(f"{out}\n" if out else "", output)
    elif fmt == "markdown":
        from difftool.render import markdown

        _emit(markdown.render(comparison), output)
    else:
        from difftool.render import terminal

        view = terminal.view(
            comparison,
            context=context,
            side_by_side=side_by_side,
            verbose=verbose,
            word_diff=word_diff or "auto",
            figures=figures,
        )
        _print_paged(view, color, pager=not no_pager, output=output)
    return status


@cli.command("normalise")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=False))
@click.option(
    "--sentences", "show_sentences", is_flag=True, help="One sentence per line, with its index."
)
@click.option(
    "--notes", is_flag=True, help="List what loading and normalising did, before the text."
)
@max_size_option
@run_safely
def normalise_command(file: str, show_sentences: bool, notes: bool, max_size: int) -> int:
    """Print FILE's normalised text (the key docdiff compares). Alias: normalize.

    \b
    Examples:
      docdiff normalise report.pdf              the text docdiff compares
      docdiff normalise --notes --sentences a.txt   what was done, then one sentence a line
    """
    from difftool.load import load
    from difftool.normalise import normalise

    document = load(file, max_size=max_size, digest=False)  # the digest tells a diff only
    # sentences only when asked (they cost most), and the offset maps only for them
    normalised = normalise(document.text, mapped=show_sentences)
    if notes:
        click.echo(f"# encoding: {document.encoding}")
        for note in document.notes + normalised.notes:
            click.echo(f"# {note}")
        click.echo()
    if show_sentences:
        from difftool.segment import sentences

        for sentence in sentences(normalised):
            click.echo(f"{sentence.index}\t{sentence.key}")
    else:
        click.echo(normalised.text)
    return EXIT_SAME


# the American spelling works too, without a second line in the help
cli.add_command(
    click.Command(
        "normalize",
        params=normalise_command.params,
        callback=normalise_command.callback,
        help=normalise_command.help,
        hidden=True,
    )
)


def _progress(quiet: bool) -> tuple[Any, Callable[[int, int], None] | None]:
    """A rich progress bar on stderr for long runs; None when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress

    progress = Progress(console=_console_err(), transient=True)
    task = progress.add_task("fingerprinting", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


def _run_indexed(quiet: bool, job: Callable[[Callable[[int, int], None] | None], Any]) -> Any:
    """Run a dedup or match job with a progress bar when wanted; print its warnings."""
    progress, update = _progress(quiet)
    if progress is None:
        result = job(None)
    else:
        with progress:
            result = job(update)
    for warning in result.warnings:
        click.echo(f"docdiff: warning: {warning}", err=True)
    return result


def _console_err() -> Any:
    from rich.console import Console

    return Console(stderr=True)


F = TypeVar("F", bound=Callable[..., Any])


def cache_options(fn: F) -> F:
    """``--cache PATH`` / ``--no-cache``, shared by dedup and match."""
    fn = click.option(
        "--no-cache", is_flag=True, help="Neither read nor write the signature cache."
    )(fn)
    return click.option(
        "--cache",
        "cache_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Signature cache (SQLite). [default: the user cache folder]",
    )(fn)


def walk_options(fn: F) -> F:
    """Options that choose the files under the given folders."""
    fn = click.option("--hidden", is_flag=True, help="Also read hidden files and folders.")(fn)
    fn = click.option(
        "--exclude", multiple=True, metavar="GLOB", help="Skip matching files (repeatable)."
    )(fn)
    fn = click.option(
        "--include", multiple=True, metavar="GLOB", help="Only read matching files (repeatable)."
    )(fn)
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help="Processes for reading. [default: all cores]",
    )(fn)


@cli.command("dedup")
@click.argument("folders", nargs=-1, type=click.Path())
@click.option(
    "--threshold",
    type=Share(0.0, 1.0, min_open=True),
    default=0.7,
    show_default=True,
    help="Jaccard similarity of shingle sets for two documents to be versions of one.",
)
@click.option(
    "--containment",
    type=Share(0.0, 1.0, min_open=True),
    default=0.8,
    show_default=True,
    help="Share of a smaller document inside a larger one to join it as a partial copy.",
)
@click.option(
    "-k",
    "shingle",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Tokens per shingle.",
)
@cache_options
@walk_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "csv", "html"]),
    default="terminal",
    show_default=True,
)
@output_option
@max_size_option
@click.option(
    "--engine",
    type=click.Choice(["embedded", "spark"]),
    default="embedded",
    show_default=True,
    help="Where to run: this machine, or Spark (pip install 'docdiff[spark]').",
)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option(
    "--conf", "spark_conf", multiple=True, metavar="KEY=VALUE", help="A Spark setting (repeatable)."
)
@click.option(
    "--input",
    "table",
    type=click.Path(),
    default=None,
    help="Spark: a table of documents (Parquet, or JSON Lines) instead of folders.",
)
@click.option("--id-column", default="id", show_default=True, help="Spark --input: the id column.")
@click.option(
    "--text-column", default="text", show_default=True, help="Spark --input: the text column."
)
@click.option(
    "--tree", is_flag=True, help="Infer each group's family tree: which version came from which."
)
@click.option("--list-all", is_flag=True, help="Also list the documents that belong to no group.")
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write a plan: keep each representative, propose the others for quarantine (see apply).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@run_safely
def dedup_command(
    folders: tuple[str, ...],
    threshold: float,
    containment: float,
    shingle: int,
    cache_path: str | None,
    no_cache: bool,
    jobs: int | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    hidden: bool,
    fmt: str,
    output: str | None,
    max_size: int,
    engine: str,
    master: str,
    spark_conf: tuple[str, ...],
    table: str | None,
    id_column: str,
    text_column: str,
    tree: bool,
    list_all: bool,
    plan_path: str | None,
    quiet: bool,
) -> int:
    """Find groups of near-duplicate versions among the files under FOLDERS.

    Exact copies, re-encoded, re-laid-out and Traditional copies, copies cut short and
    partly garbled copies are grouped; unrelated reports of the same genre are not.
    Fingerprints and answers are cached (every file is still checked), so a second
    run over an unchanged folder reads no document. dedup never modifies, moves or
    deletes a scanned file; `--plan` writes a plan that `docdiff apply` carries out
    after you have reviewed it.
    Exit status: 0 no duplicates, 1 duplicates found, 2 trouble.

    \b
    Examples:
      docdiff dedup archive/                         groups in the terminal
      docdiff dedup --tree archive/                  and how each group's versions descend
      docdiff dedup --format html -o groups.html archive/
      docdiff dedup --plan plan.json archive/        then: docdiff apply plan.json --move-to Q
      docdiff dedup --engine spark --input docs.parquet -o groups.parquet
    """
    from difftool.index import dedup

    if engine == "spark":
        if table is not None and (tree or plan_path):
            raise DocdiffError("--tree and --plan read the documents' files: not with --input")
        spark_result = _dedup_spark(
            folders,
            table=table,
            id_column=id_column,
            text_column=text_column,
            master=master,
            spark_conf=spark_conf,
            options={
                "threshold": threshold,
                "containment": containment,
                "k": shingle,
                "max_size": max_size,
            },
            walk={"include": include, "exclude": exclude, "hidden": hidden},
            output=output,
            quiet=quiet,
        )
        if spark_result is None:  # written to Parquet by the executors
            return EXIT_SAME
        return _report_groups(
            spark_result, fmt=fmt, output=output, tree=tree, list_all=False, plan_path=plan_path
        )
    if table is not None:
        raise DocdiffError("--input reads a table of documents with --engine spark only")
    if not folders:
        raise click.UsageError("give at least one FOLDER")
    _check_roots(folders)
    result = _run_indexed(
        quiet,
        lambda update: dedup(
            folders,
            include=include,
            exclude=exclude,
            hidden=hidden,
            threshold=threshold,
            containment=containment,
            k=shingle,
            cache=False if no_cache else cache_path,
            jobs=jobs,
            progress=update,
            max_size=max_size,
        ),
    )
    return _report_groups(
        result, fmt=fmt, output=output, tree=tree, list_all=list_all, plan_path=plan_path
    )


def _report_groups(
    result: Any, *, fmt: str, output: str | None, tree: bool, list_all: bool, plan_path: str | None
) -> int:
    """Print or write a dedup result in the chosen form (and the plan); the exit status."""
    from difftool.render import groups

    if result.documents == len(result.errors) and result.errors:
        status = EXIT_TROUBLE  # nothing could be read at all
    else:
        status = EXIT_DIFFERENT if result.clusters else EXIT_SAME
    _decided(status)

    docs: dict[str, Any] = {}  # each member read once for its tree and its diff
    trees = _family_trees(result, docs) if tree else {}
    if plan_path:
        from difftool.actions import make_plan, write_plan

        write_plan(make_plan(result), plan_path)
        click.echo(f"docdiff: plan written to {plan_path}: review it, then docdiff apply", err=True)
    if fmt == "json":
        _emit(groups.render_json(result, trees, list_all=list_all) + "\n", output)
    elif fmt == "csv":
        _emit(groups.render_csv(result, list_all=list_all), output)
    elif fmt == "html":
        from difftool.render import html

        diffs = _member_diffs(result, docs)
        _emit(html.render_groups(result, diffs, trees, list_all=list_all), output)
    else:
        views = [groups.GroupsView(result, list_all=list_all)]
        _show("auto", *views, *([groups.TreesView(result, trees)] if trees else []), output=output)
    return status


def _check_roots(paths: tuple[str, ...]) -> None:
    """A folder or file the user named that is not there is trouble, not an entry."""
    import stat

    for path in paths:
        if path == "-":
            raise DocdiffError("-: dedup and match read folders and files, not standard input")
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            raise DocdiffError(f"{path}: {(exc.strerror or str(exc)).lower()}") from None
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            raise DocdiffError(f"{path}: not a folder or a regular file")


def _dedup_spark(
    folders: tuple[str, ...],
    *,
    table: str | None,
    id_column: str,
    text_column: str,
    master: str,
    spark_conf: tuple[str, ...],
    options: dict[str, Any],
    walk: dict[str, Any],
    output: str | None,
    quiet: bool,
) -> Any:
    """``dedup --engine spark``: the same groups, computed on a Spark cluster; None when
    the executors wrote them to a Parquet output."""
    from difftool.engines.spark import SparkReport, dedup_spark
    from difftool.index import MAX_BUCKET
    from difftool.load.walk import walk as walk_folders

    conf = []
    for item in spark_conf:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="'--conf'")
        conf.append((key.strip(), value.strip()))
    paths: list[str] = []
    errors: list[tuple[str, str]] = []
    if table is None:
        if not folders:
            raise click.UsageError("give FOLDERs, or --input TABLE")
        _check_roots(folders)
        found = walk_folders(folders, **walk)
        paths, errors = found.files, found.errors
    elif folders:
        raise click.UsageError("give either FOLDERs or --input TABLE, not both")
    report = SparkReport()
    stage = None if quiet or not sys.stderr.isatty() else _console_err()

    def on_stage(name: str) -> None:
        if report.ui and not getattr(on_stage, "told", False):
            click.echo(f"docdiff: Spark UI at {report.ui}", err=True)
            on_stage.told = True  # type: ignore[attr-defined]
        if stage is not None:
            stage.print(f"[dim]spark: {name}…[/dim]")

    to_parquet = output is not None and output.endswith(".parquet")
    result, frame = dedup_spark(
        paths=paths,
        table=table,
        id_column=id_column,
        text_column=text_column,
        master=master,
        conf=conf,
        on_stage=on_stage,
        report=report,
        collect=not to_parquet,
        **options,
    )
    if report.capped_buckets:
        click.echo(
            f"docdiff: note: {report.capped_buckets} LSH buckets held over {MAX_BUCKET} documents"
            " (many versions of one text, or tiny documents alike): each member was verified"
            " against a few of the others, not all",
            err=True,
        )
    if to_parquet:
        assert output is not None
        frame.write.mode("overwrite").parquet(output)
        click.echo(f"docdiff: groups written to {output}", err=True)
        return None
    assert result is not None
    if errors:
        from dataclasses import replace

        result = replace(
            result,
            documents=result.documents + len(errors),
            errors=tuple(sorted([*result.errors, *errors])),
        )
    return result


def _prepared(path: str, docs: dict[str, Any]) -> Any:
    """A member's prepared document, read once however many reports need it."""
    from difftool.pipeline import prepare

    if path not in docs:
        docs[path] = prepare(path)
    return docs[path]


def _family_trees(result: Any, docs: dict[str, Any]) -> dict[int, Any]:
    """Each group's family tree (a group that cannot be read again gets none)."""
    from difftool.family import family_tree

    trees: dict[int, Any] = {}
    for cluster in result.clusters:
        paths = [m.path for m in cluster.members]
        try:
            members = {p: _prepared(p, docs) for p in paths}
            family = family_tree(paths, cluster.representative, members)
        except DocdiffError:
            continue
        if family is not None:
            trees[cluster.id] = family
    return trees


def _member_diffs(result: Any, docs: dict[str, Any]) -> dict[str, Any]:
    """Each grouped member compared with its representative (for the HTML report); a
    member that cannot be compared is left without a diff."""
    from difftool.comparison import compare

    diffs: dict[str, Any] = {}
    for cluster in result.clusters:
        try:
            rep = _prepared(cluster.representative, docs)
        except DocdiffError:
            continue
        for member in cluster.members[1:]:
            try:
                diffs[member.path] = compare(rep, _prepared(member.path, docs))
            except DocdiffError:
                continue
    return diffs


@cli.command("match")
@click.argument("filed", type=click.Path())
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--top", type=click.IntRange(min=1), default=5, show_default=True, help="Candidates to show."
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Then show the full diff against the best match."
)
@cache_options
@click.option(
    "--trust-cache",
    is_flag=True,
    help="While PATH's folders are unchanged since the last such run (no file added, "
    "removed or renamed), check them and the candidates, not every file: fast on a large "
    "archive, but a file rewritten in place is then seen only if it is a candidate.",
)
@walk_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "html"]),
    default="terminal",
    show_default=True,
)
@output_option
@max_size_option
@color_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@run_safely
def match_command(
    filed: str,
    paths: tuple[str, ...],
    top: int,
    show_diff: bool,
    cache_path: str | None,
    no_cache: bool,
    trust_cache: bool,
    jobs: int | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    hidden: bool,
    fmt: str,
    output: str | None,
    max_size: int,
    color: str,
    quiet: bool,
) -> int:
    """Find which archived version under PATH... was filed as FILED, and how they differ.

    Candidates come from the signature index (the same cache as dedup) and are ranked
    by a sentence-level comparison with FILED, so close siblings are told apart; a
    letterhead or stamp that only FILED carries does not change the ranking. FILED
    itself is left out when it lies under PATH.
    Exit status: 0 the best match has no differences, 1 it differs, 2 trouble or
    nothing similar at all.

    \b
    Examples:
      docdiff match filed.pdf archive/                the closest versions, best first
      docdiff match --diff filed.pdf archive/         then the diff against the best
      docdiff match --format html -o match.html filed.pdf archive/
    """
    from difftool.matching import match
    from difftool.render import matches

    _check_roots(paths)
    _not_over_inputs(output, filed)
    result = _run_indexed(
        quiet,
        lambda update: match(
            filed,
            paths,
            top=top,
            include=include,
            exclude=exclude,
            hidden=hidden,
            trust=trust_cache and not no_cache,
            cache=False if no_cache else cache_path,
            jobs=jobs,
            progress=update,
            max_size=max_size,
        ),
    )
    best = result.candidates[0]
    status = _decided(EXIT_DIFFERENT if best.comparison.differs else EXIT_SAME)
    if fmt == "json":
        _emit(matches.render_json(result) + "\n", output)
    elif fmt == "html":
        from difftool.render import html

        _emit(html.render_match(result), output)
    else:
        views: list[Any] = [matches.MatchView(result)]
        if show_diff:
            from difftool.render import terminal

            views.append(terminal.view(best.comparison))
        _show(color, *views, output=output)
    return status


@cli.command("apply")
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option(
    "--move-to",
    "quarantine",
    required=True,
    type=click.Path(file_okay=False),
    help="Quarantine folder; the moved files keep their paths below it.",
)
@click.option("--link", is_flag=True, help="Leave a symbolic link in each moved file's place.")
@click.option("--dry-run", "-n", is_flag=True, help="Show what would be moved; move nothing.")
@run_safely
def apply_command(plan: str, quarantine: str, link: bool, dry_run: bool) -> int:
    """Carry out a reviewed PLAN (from `docdiff dedup --plan`): move each proposed file
    into the quarantine folder.

    Each file is checked against the plan first (size, modification time, SHA-256): a
    file that changed since is skipped and reported. Every move is written to a journal
    in the quarantine folder before and after it happens; `docdiff undo JOURNAL` moves
    the files back. Nothing is ever deleted. Interrupted, run the same command again:
    it finishes the job. Exit status: 0 all moved, 1 some skipped, 2 trouble.

    \b
    Examples:
      docdiff apply plan.json --move-to quarantine/ --dry-run
      docdiff apply plan.json --move-to quarantine/ --link
    """
    from difftool.actions import apply, describe, plan_id, read_plan

    outcome, journal = apply(
        read_plan(plan), quarantine, plan_id=plan_id(plan), link=link, dry_run=dry_run
    )
    for line in describe(outcome, "move"):
        click.echo(_safe(line))
    moved = len(outcome.done) + len(outcome.already)
    if dry_run:
        click.echo(f"{len(outcome.planned)} to move, {len(outcome.skipped)} to skip (dry run)")
    else:
        click.echo(f"{moved} moved, {len(outcome.skipped)} skipped; journal: {_safe(str(journal))}")
    return EXIT_DIFFERENT if outcome.skipped else EXIT_SAME


@cli.command("undo")
@click.argument("journal", type=click.Path(dir_okay=False))
@click.option("--dry-run", "-n", is_flag=True, help="Show what would be moved back.")
@run_safely
def undo_command(journal: str, dry_run: bool) -> int:
    """Move back every file that `docdiff apply` moved, as its JOURNAL records.

    Interrupted, run it again: it finishes the job. A file whose place has been taken
    meanwhile is not overwritten (skipped and reported). Exit status: 0 all restored,
    1 some skipped, 2 trouble.

    \b
    Examples:
      docdiff undo quarantine/docdiff-journal-1bdbebaff1fc.jsonl --dry-run
      docdiff undo quarantine/docdiff-journal-1bdbebaff1fc.jsonl
    """
    from difftool.actions import describe, undo

    outcome = undo(journal, dry_run=dry_run)
    for line in describe(outcome, "restore"):
        click.echo(_safe(line))
    restored = len(outcome.done) + len(outcome.already)
    click.echo(f"{restored} restored, {len(outcome.skipped)} skipped")
    return EXIT_DIFFERENT if outcome.skipped else EXIT_SAME


def _safe(text: str) -> str:
    from difftool.render import printable

    return printable(text)


def main() -> None:
    """Entry point of the ``docdiff`` console script."""
    # What the imports built (click, rich, compiled patterns) lives until exit: frozen, the
    # collector neither walks it during the run nor again at shutdown (about 8 ms)
    gc.freeze()
    cli(prog_name="docdiff")
