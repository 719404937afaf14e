"""Ingest page: add a feed or page URL, or upload files, and watch them arrive.

Runs the same pipeline as ``python -m dashboard ingest`` (:class:`dashboard.ingest.Ingestor`):
uploads are written to a temporary folder under their own names, so the file
suffix picks the reader (text, JSON Lines, CSV, feeds, HTML pages) exactly as
on the command line.  Progress is shown per batch; every skipped record is
listed with its file and position.  Not routed in read-only mode.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.app import safe, state
from dashboard.errors import DashboardError
from dashboard.ingest import IngestOptions, Ingestor, IngestSummary
from dashboard.ingest.progress import Progress

logger = logging.getLogger(__name__)

UPLOAD_TYPES = ["txt", "md", "text", "jsonl", "ndjson", "json", "csv", "tsv", "gz", "xml", "rss", "atom",
                "html", "htm"]
BATCH = 50  # records per batch: small enough for visible progress, large enough for batched writes
_LAST = "_ingest_last"


class PageProgress(Progress):
    """The ingest's progress line, drawn into a Streamlit placeholder after every batch."""

    def __init__(self, placeholder: Any) -> None:
        super().__init__(enabled=False)
        self.placeholder = placeholder

    def update(self, counts: Any) -> None:
        safe.caption(self.line(counts), self.placeholder)

    def close(self, counts: Any) -> None:
        safe.caption(self.line(counts), self.placeholder)


def _save_uploads(files: list[Any], folder: Path) -> tuple[list[str], dict[str, str]]:
    """Write uploads to ``folder``; returns their paths and path -> name as the user knows it."""
    paths: list[str] = []
    shown: dict[str, str] = {}
    for i, f in enumerate(files):
        name = Path(f.name).name or f"upload-{i}"
        target = folder / str(i) / "upload" / name  # "upload" becomes the default source name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.getvalue())
        paths.append(str(target))
        shown[str(target)] = name
    return paths, shown


def run_ingest(sources: list[str], shown: dict[str, str], opts: IngestOptions, progress: Progress) -> dict[str, Any]:
    """Ingest ``sources`` into the dashboard's store; the result as plain data for the page."""
    store = state.get_store(state.settings().db_url)
    summary: IngestSummary = Ingestor(store, batch_size=BATCH, progress=progress).run(sources, opts)
    state.invalidate_queries()
    errors = [
        {"source": shown.get(src, src), "position": pos, "problem": msg} for src, pos, msg in summary.errors
    ]
    return {**summary.to_dict(), "errors": errors}


def _show(result: dict[str, Any]) -> None:
    c = st.columns(5)
    c[0].metric("Read", f"{result['seen']:,}")
    c[1].metric("Added", f"{result['added']:,}")
    c[2].metric("Duplicates", f"{result['duplicates']:,}")
    c[3].metric("Skipped", f"{result['skipped']:,}")
    c[4].metric("Place mentions", f"{result['mentions']:,}")
    st.caption(f"Run {int(result['run_id']):d} took {result['seconds']:.1f} s; near-copies linked to a story: "
               f"{result['near_duplicates']:,}.")
    if result["errors"]:
        st.warning(f"{len(result['errors'])} record{'s' * (len(result['errors']) != 1)} could not be "
                   "ingested:")
        st.dataframe(pd.DataFrame(result["errors"]), hide_index=True, key="ingest_errors")
    elif result["added"]:
        st.success("Everything was ingested. The map and lists show the new articles now.")


def main() -> None:
    cfg = state.settings()
    st.subheader("Add articles", anchor=False)
    if cfg.read_only:
        st.info("This dashboard is read-only: ingest is switched off.")
        return
    st.caption("A feed (RSS, Atom) or page URL, or files: plain text (one article per file), JSON Lines and "
               "CSV (one article per record; fields text, title, published, url, lang, source), feeds, HTML.")
    url = st.text_input("Feed or page URL", key="ingest_url", placeholder="https://example.org/news/rss.xml")
    files = st.file_uploader("Files", type=UPLOAD_TYPES, accept_multiple_files=True, key="ingest_files") or []
    with st.expander("Options"):
        source = st.text_input("Source name (default: from the feed or the records)", key="ingest_source")
        lang = st.text_input("Language of the texts (ISO code; default: detected)", key="ingest_lang",
                             max_chars=8)
    start = st.button("Ingest", type="primary", key="ingest_run", disabled=not (url.strip() or files))

    if start:
        sources: list[str] = []
        if url.strip():
            if not url.strip().startswith(("http://", "https://")):
                st.error("The URL must start with http:// or https://.")
                return
            sources.append(url.strip())
        opts = IngestOptions(source_name=source.strip() or None, lang=lang.strip().lower() or None)
        with tempfile.TemporaryDirectory(prefix="dashboard-upload-") as tmp:
            paths, shown = _save_uploads(list(files), Path(tmp))
            sources += paths
            with st.status(f"Ingesting {len(sources)} source{'s' * (len(sources) != 1)}…", expanded=True) as box:
                line = st.empty()
                try:
                    result = run_ingest(sources, shown, opts, PageProgress(line))
                except DashboardError as err:
                    box.update(label="Ingest failed", state="error")
                    safe.error(err)
                    logger.warning("ingest from the page failed: %s", err)
                    return
                box.update(label="Ingest finished", state="complete" if not result["errors"] else "error",
                           expanded=False)
        st.session_state[_LAST] = result
    if _LAST in st.session_state:
        _show(st.session_state[_LAST])


main()
