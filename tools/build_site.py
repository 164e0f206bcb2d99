"""Build the course's website from the stored, executed notebooks (nothing is re-executed).

    python -m tools.build_site                          # `make html`: every lesson -> build/html/
    python -m tools.build_site --out DIR NOTEBOOK ...   # only these lessons

Sphinx reads one source folder, so this assembles one in a temporary directory: ``site/index.md``
(the landing page), ``README.md`` (whose lesson table the landing page includes, so the table is
written once) and the notebooks, then runs Sphinx with ``site/conf.py`` (myst-nb and
sphinx-book-theme). Warnings are errors: a broken link or a missing lesson fails the build.
MathJax is copied into the site by sphinx-mathjax-offline, so the pages need no network; the
copy keeps what the pages can load (see :func:`leave_out_unused_files`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tools.course import ROOT, lessons

SITE = ROOT / "site"
OUT = ROOT / "build" / "html"

# sphinx-mathjax-offline copies all of MathJax 3 (24 MB), but the pages load one combined
# component, tex-chtml.js, which then loads TeX extensions, the accessibility tools and the
# CHTML fonts on demand. The other combined components (each a complete MathJax of its own)
# and the SVG output are never loaded.
UNUSED_MATHJAX = [
    "mml-chtml.js",
    "mml-svg.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
    "node-main.js",
    "output/svg.js",
    "output/svg",
]


def lesson_rows_only_for(readme: str, notebooks: list[Path]) -> str:
    """``readme`` without the lesson-table rows of notebooks that are not being built."""
    names = {p.name for p in notebooks}
    kept = []
    for line in readme.splitlines(keepends=True):
        linked = re.search(r"\(notebooks/(\d\d_\w+\.ipynb)\)", line)
        if line.startswith("| ") and linked and linked.group(1) not in names:
            continue
        kept.append(line)
    return "".join(kept)


def leave_out_unused_files(out: Path) -> None:
    """Delete what no page of the site in ``out`` loads: unused MathJax components
    (:data:`UNUSED_MATHJAX`) and the theme's source maps, which only a browser's developer
    tools ask for."""
    for name in UNUSED_MATHJAX:
        path = out / "_static" / "mathjax" / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for source_map in (out / "_static").rglob("*.map"):
        source_map.unlink()


def build(notebooks: list[Path], out: Path) -> None:
    """Build the site for ``notebooks`` into ``out`` (emptied first).

    Raises:
        FileNotFoundError: a notebook does not exist.
        RuntimeError: Sphinx reported an error or a warning.
    """
    # imported here: `--help` should not need Sphinx
    from sphinx.cmd.build import build_main

    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {', '.join(missing)}")
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix="site-src-") as tmp:
        src = Path(tmp)
        shutil.copy2(SITE / "index.md", src / "index.md")
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        (src / "README.md").write_text(
            lesson_rows_only_for(readme, notebooks), encoding="utf-8"
        )
        (src / "notebooks").mkdir()
        for path in notebooks:
            shutil.copy2(path, src / "notebooks" / path.name)
        args = ["-b", "html", "-c", str(SITE), "-W", "--keep-going", "-q", "-E"]
        if sorted(p.name for p in notebooks) != sorted(p.name for p in lessons()):
            # a site of some lessons: their links to the lessons left out have no target
            args += ["-D", "suppress_warnings=myst.xref_missing"]
        args += ["-d", str(src / ".doctrees"), str(src), str(out)]
        if build_main(args) != 0:
            raise RuntimeError(
                "Sphinx reported errors or warnings (above); the site is incomplete"
            )
    leave_out_unused_files(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/html")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or lessons()
    start = time.perf_counter()
    try:
        build(notebooks, args.out.resolve())
    except (FileNotFoundError, RuntimeError) as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    index = args.out.resolve() / "index.html"
    print(
        f"built {len(notebooks)} lessons in {time.perf_counter() - start:.1f} s: open {index}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
