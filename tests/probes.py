"""What the browser tests measure on a page, as JavaScript run in it (Playwright's
``page.evaluate``): the smallest text a viewer must read, text cut short, and whether the
page is taller than the screen."""

from __future__ import annotations

# Every piece of visible text in the page's main area (HTML and chart SVG): its font size in
# CSS pixels and the text. Hidden text (display none, zero size, off screen sideways, inside
# a collapsed expander) is not read by anyone, so it is not measured.
TEXTS = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const out = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, noscript, [aria-hidden="true"]')) continue;
    if (el.closest('.modebar, .hoverlayer, [data-testid="stTooltipIcon"]')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || +style.opacity === 0) continue;
    if (el.closest('details:not([open]) > :not(summary)')) continue;
    out.push({text: text.slice(0, 60), size: parseFloat(style.fontSize), tag: el.tagName,
              bottom: box.bottom + window.scrollY});
  }
  return out;
}"""

# Text shown cut short: an element whose text overflows its box where the overflow is
# hidden or ellipsised (a label reading "Clear dem…").
TRUNCATED = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stApp"] *')) {
    if (el instanceof SVGElement) continue;  // chart text: drawn, never cut by CSS
    if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('[data-testid="stSidebar"][data-collapsed="true"]')) continue;
    const clips = style.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(style.overflowX);
    if (box.width > 2 && clips && el.scrollWidth > el.clientWidth + 1) out.push(el.textContent.trim().slice(0, 60));
  }
  return out;
}"""

# How far the page scrolls beyond the screen, in CSS pixels (0: it fits).
OVERFLOW = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const scroller = main && main.scrollHeight > main.clientHeight ? main : document.scrollingElement;
  return Math.max(0, scroller.scrollHeight - scroller.clientHeight);
}"""

# Whether Streamlit's sidebar is open (it collapses by itself on narrow screens).
SIDEBAR_OPEN = """() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  return !!bar && bar.getAttribute('data-collapsed') === 'false' && bar.getBoundingClientRect().right > 0;
}"""

# Streamlit is idle: its script has run to the end, nothing is waiting to be drawn (no
# skeletons), every chart is drawn and the fonts are in. Checked twice, a tick apart, so a
# rerun starting right after a run is not taken for the end.
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  // in presentation mode, the page is drawn for the screen size its address now names
  const url = new URL(window.location.href);
  const drawn = document.querySelector('.dashboard-screen');
  const forScreen = () => url.searchParams.get('present') !== '1'
    || (drawn && drawn.dataset.screen === (url.searchParams.get('screen') || '1'));
  const idle = () => app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stStatusWidget"]')
    && [...document.querySelectorAll('.stPlotlyChart')].every(c => c.querySelector('.main-svg'))
    && document.fonts.status === 'loaded' && forScreen();
  // a resize starts a rerun (presentation mode redraws charts for the screen's size): the
  // quiet before it does not count
  const size = `${window.innerWidth}x${window.innerHeight}`;
  if (window.dashboardIdleSize !== size) { window.dashboardIdleSize = size; window.dashboardIdleSince = null; }
  if (!idle()) { window.dashboardIdleSince = null; return false; }
  const now = performance.now();
  window.dashboardIdleSince = window.dashboardIdleSince || now;
  return now - window.dashboardIdleSince > 300;
}"""

# Each view (a heading with its chart, sentence or list: ui.show) that is taller than the
# screen, with its height: in presentation mode every one fits a screen.
VIEWS_TALLER = """() => [...document.querySelectorAll('[class*="st-key-view_"]')]
  .map(v => [[...v.classList].find(c => c.startsWith('st-key-view_')), v.getBoundingClientRect().height])
  .filter(([key, height]) => height > window.innerHeight)"""
