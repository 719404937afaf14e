"""``python -m dashboard.app.launch run ...``: Streamlit's own command line, plus a warm-up.

Streamlit runs the app script only when the first browser connects, so the
first visitor used to wait for folium's import and the place index (about
1.5 s).  This entry point starts Streamlit exactly as ``python -m streamlit``
does, after starting a background thread that imports the map libraries,
loads the place index (process-wide, so the app's cached ``get_index`` finds
it) and reads the store once (the operating system then has its pages cached).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time

logger = logging.getLogger(__name__)


def warm_up(db_url: str | None) -> None:
    """Do the slow first-use work before anyone asks for it; failures are only logged."""
    t = time.perf_counter()
    try:
        # Not streamlit_folium: it declares its component on import, which must happen in the app.
        import folium.plugins  # noqa: F401

        from dashboard import maps  # noqa: F401
        from dashboard.gazetteer import load_index

        load_index().country_polygons()
        if db_url:
            from dashboard.models import Filters
            from dashboard.store import open_store

            store = open_store(db_url)
            try:
                store.count_articles(Filters())
                store.place_summaries(Filters(), limit=50)
            finally:
                store.close()
    except Exception as err:  # noqa: BLE001 - a failed warm-up only means a slower first page
        logger.warning("warm-up failed (the first page will be slower): %s", err)
        return
    # The place index and the imported libraries live as long as the process: move them out of
    # the collector's reach, so a full collection (Python starts one now and then) walks only
    # what sessions allocate, not the millions of long-lived objects.
    gc.freeze()
    logger.info("warm-up done in %.2f s", time.perf_counter() - t)


def main() -> None:
    threading.Thread(target=warm_up, args=(os.environ.get("DASHBOARD_DB"),), name="dashboard-warm-up",
                     daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
