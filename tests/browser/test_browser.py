"""The dashboard in headless Chromium: map, offline, filters, shared links, hostile text.

Every wait is for a condition (a selector, a JS predicate, a URL); the map's
iframe is same-origin, so predicates can read Leaflet's state directly.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SAMPLE_PLACES = ("Beijing", "Samarkand", "Kazakhstan", "Xinjiang")
WAIT_MS = 60_000

# Tooltips of every marker on the map (clustered ones included), read through the same-origin iframe.
MARKERS_JS = """() => {
    const frames = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')];
    const f = frames.find(f => f.contentWindow && f.contentWindow.map);
    if (!f) return null;
    const out = [];
    f.contentWindow.map.eachLayer(l => {
        if (l._featureGroup && l.getLayers) {
            l.getLayers().forEach(m => {
                const t = m.getTooltip && m.getTooltip();
                const div = document.createElement('div');
                div.innerHTML = t ? t.getContent() : '';
                out.push(div.textContent);
            });
        }
    });
    return out;
}"""

VIEW_JS = """() => {
    const f = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')]
        .find(f => f.contentWindow && f.contentWindow.map);
    if (!f) return null;
    const m = f.contentWindow.map, c = m.getCenter();
    return [c.lat, c.lng, m.getZoom()];
}"""


FIND_JS = """(name) => {
    const f = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')]
        .find(f => f.contentWindow && f.contentWindow.map);
    if (!f) return null;
    let hit = null;
    f.contentWindow.map.eachLayer(l => {
        if (l._featureGroup && l.getLayers) {
            l.getLayers().forEach(m => {
                if (String(m.getTooltip().getContent()).includes('<b>' + name + '</b>')) hit = [f, l, m];
            });
        }
    });
    return hit;
}"""


def show_marker(page, name: str) -> tuple[float, float]:
    """Zoom the map onto a marker (no animation), wait until it is drawn unclustered,
    and return its position on the page."""
    page.evaluate(f"""(name) => {{
        const [f, l, m] = ({FIND_JS})(name);
        f.contentWindow.map.setView(m.getLatLng(), 9, {{animate: false}});
    }}""", name)
    handle = page.wait_for_function(f"""(name) => {{
        const hit = ({FIND_JS})(name);
        if (!hit) return null;
        const [f, l, m] = hit;
        if (!m._map) return null;  // markercluster puts a marker on the map only when unclustered
        const p = f.contentWindow.map.latLngToContainerPoint(m.getLatLng());
        const r = f.getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }}""", arg=name, timeout=WAIT_MS)
    return tuple(handle.json_value())


def wait_markers(page, predicate: str = "names => names.length > 0"):
    """Wait until the map's marker tooltips satisfy ``predicate``; return them."""
    handle = page.wait_for_function(
        f"() => {{ const names = ({MARKERS_JS})(); return names && ({predicate})(names) ? names : null; }}",
        timeout=WAIT_MS,
    )
    return handle.json_value()


def wait_settled(page) -> None:
    """Wait until the map shows the view the link holds (to a pixel) and no script run is in progress.

    Moving the map before that races with the app recording the map's first view.
    """
    page.wait_for_function(
        f"""() => {{
            const q = new URLSearchParams(location.search);
            const v = ({VIEW_JS})();
            const idle = document.querySelector("[data-test-script-state='notRunning']");
            if (!(idle && v && q.has('z') && Number(q.get('z')) === v[2])) return false;
            const pixel = 360 / 256 / Math.pow(2, v[2]);  // degrees per pixel; Leaflet rounds to pixels
            return Math.abs(Number(q.get('lat')) - v[0]) <= pixel && Math.abs(Number(q.get('lon')) - v[1]) <= pixel;
        }}""",
        timeout=WAIT_MS,
    )


def wait_idle(page) -> None:
    """Wait until no script run is in progress (a click during a rerun can be dropped)."""
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=WAIT_MS)


def map_frame(page):
    return page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first


def test_map_renders_offline_with_sample_places(open_page, artifacts, server) -> None:
    t0 = time.monotonic()
    page, rec = open_page("/")
    names = wait_markers(page, "names => " + " && ".join(f"names.some(n => n.includes('{p}'))" for p in SAMPLE_PLACES))
    elapsed = time.monotonic() - t0
    map_frame(page).locator(".leaflet-interactive, .marker-cluster").first.wait_for(timeout=WAIT_MS)
    joined = " | ".join(names)
    for place in SAMPLE_PLACES:
        assert place in joined
    expect(page.get_by_text(re.compile(r"articles? match"))).to_be_visible()
    wait_settled(page)
    page.screenshot(path=str(artifacts / "map.png"), full_page=True)
    t1 = time.monotonic()
    warm, rec_warm = open_page("/")
    wait_markers(warm, "names => names.length > 0")
    warm_elapsed = time.monotonic() - t1
    (artifacts / "timings.txt").write_text(
        f"page load to markers: first page {elapsed:.2f} s, second page {warm_elapsed:.2f} s "
        f"({len(names)} markers, store {server.seeded_by})\n"
    )
    assert rec_warm.external() == []
    assert rec.external() == [], rec.external()
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in rec.requests)
    assert rec.dialogs == []


def test_hostile_headline_runs_no_script(open_page, artifacts) -> None:
    page, rec = open_page("/")
    wait_markers(page, "names => names.some(n => n.includes('Almaty'))")
    wait_settled(page)
    # Click Almaty (its headline is the hostile one) to open its popup.
    x, y = show_marker(page, "Almaty")
    page.mouse.click(x, y)
    popup = map_frame(page).locator(".leaflet-popup-content")
    expect(popup).to_contain_text("<img src=x onerror=alert(1)>", timeout=WAIT_MS)
    assert map_frame(page).locator("img[src='x']").count() == 0
    # The click selected Almaty; the narrowed list and the article view show the headline as text.
    expect(page.get_by_text(re.compile(r"mentioning\s+Almaty"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("<img src=x onerror=alert(1)> Almaty", exact=False).first).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="Read").first.click()
    expect(page.get_by_role("button", name="‹ Back to the list")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("mark").first).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    page.screenshot(path=str(artifacts / "hostile.png"), full_page=True)
    assert rec.dialogs == [], rec.dialogs
    assert rec.external() == []


def test_clicking_a_place_narrows_the_list(open_page) -> None:
    page, rec = open_page("/")
    wait_markers(page, "names => names.some(n => n.includes('Beijing'))")
    wait_settled(page)
    # Show Beijing unclustered, then click it where it is drawn, like a user.  Moving the map
    # makes the app record the new view (a rerun); a click during a rerun can be dropped, so
    # wait for it to end and, on a loaded machine, click again if the list did not narrow.
    narrowed = page.get_by_text(re.compile(r"mentioning\s+Beijing"))
    for attempt in range(3):
        show_marker(page, "Beijing")
        wait_idle(page)
        point = show_marker(page, "Beijing")
        page.mouse.click(point[0], point[1])
        try:
            expect(narrowed).to_be_visible(timeout=WAIT_MS // 3)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(page).to_have_url(re.compile(r"place=gn%3A1816670|place=gn:1816670"), timeout=WAIT_MS)
    assert rec.external() == []


def test_filter_change_updates_map_and_link_reproduces_view(open_page, artifacts) -> None:
    page, rec = open_page("/")
    wait_markers(page, "names => names.some(n => n.includes('Almaty'))")
    wait_settled(page)
    wait_idle(page)
    # Languages filter: German only -> the English-only Almaty disappears from the map.
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text="Languages")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=re.compile(r"^de")).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"lang=de"), timeout=WAIT_MS)
    names = wait_markers(page, "names => names.length > 0 && !names.some(n => n.includes('Almaty'))")
    assert any("Beijing" in n for n in names)
    wait_settled(page)
    # Move the map; centre and zoom go to the link.
    page.evaluate("""() => [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')]
        .find(f => f.contentWindow && f.contentWindow.map).contentWindow.map.setView([41, 70], 5)""")
    page.wait_for_url(re.compile(r"z=5"), timeout=WAIT_MS)
    link = page.url
    q = parse_qs(urlparse(link).query)
    assert q["lang"] == ["de"] and q["z"] == ["5"]
    assert abs(float(q["lat"][0]) - 41) < 0.01 and abs(float(q["lon"][0]) - 70) < 0.01

    fresh, rec2 = open_page(link[len(urlparse(link).scheme) + 3 + len(urlparse(link).netloc):])
    names2 = wait_markers(fresh, "names => names.length > 0")
    assert not any("Almaty" in n for n in names2)
    view = fresh.wait_for_function(
        f"() => {{ const v = ({VIEW_JS})(); return v && v[2] === 5 ? v : null; }}", timeout=WAIT_MS
    ).json_value()
    # Leaflet keeps its origin on whole pixels: the same view up to half a pixel (0.02 deg at zoom 5).
    assert abs(view[0] - 41) < 0.05 and abs(view[1] - 70) < 0.05
    expect(fresh.locator("[data-testid='stMultiSelect']").filter(has_text="Languages")).to_contain_text("de")
    fresh.screenshot(path=str(artifacts / "shared-link.png"), full_page=True)
    assert rec.external() == [] and rec2.external() == []


def test_a_link_to_the_overview_keeps_the_app_navigation_and_filters(open_page) -> None:
    page, rec = open_page("/overview?lang=de")
    expect(page.get_by_text("Top countries")).to_be_visible(timeout=WAIT_MS)
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav).to_contain_text("Overview", timeout=WAIT_MS)
    assert "main" not in nav.inner_text().split()  # no page list of Streamlit's own from the scripts' folder
    expect(page.locator("[data-testid='stMultiSelect']").filter(has_text="Languages")).to_contain_text("de")
    assert rec.external() == []


def test_a_country_stays_chosen_when_another_filter_changes_its_count(open_page) -> None:
    """Choose a country, then a language (its count drops), then a topic: still that country, not 0 articles."""
    page, rec = open_page("/")
    wait_markers(page, "names => names.some(n => n.includes('Almaty'))")
    wait_settled(page)
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    countries = page.locator("[data-testid='stMultiSelect']").filter(has_text="Countries")
    countries.click()
    page.get_by_role("option", name=re.compile(r"^Kazakhstan \(KZ\) · \d+")).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"country=KZ"), timeout=WAIT_MS)
    wait_idle(page)
    before = re.search(r"Kazakhstan \(KZ\) · (\d+)", countries.inner_text())
    assert before is not None
    langs = page.locator("[data-testid='stMultiSelect']").filter(has_text="Languages")
    langs.click()
    page.keyboard.type("de")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"lang=de"), timeout=WAIT_MS)
    wait_idle(page)
    after = re.search(r"Kazakhstan \(KZ\) · (\d+)", countries.inner_text())
    assert after is not None and int(after.group(1)) < int(before.group(1))  # the label follows the count
    topics = page.locator("[data-testid='stMultiSelect']").filter(has_text="Topics")
    topics.click()
    page.keyboard.type("politics")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"topic=politics"), timeout=WAIT_MS)
    wait_idle(page)
    expect(sidebar).to_contain_text(re.compile(r"(?<![0-9])[1-9][0-9,]* articles? match"), timeout=WAIT_MS)
    q = parse_qs(urlparse(page.url).query)
    assert q["country"] == ["KZ"] and q["lang"] == ["de"]
    assert rec.external() == []
