"""Accessibility statement, in the form UK public-sector websites publish."""

from __future__ import annotations

import streamlit as st

import ui

ui.ensure_navigation()
st.title("Accessibility statement")
st.markdown(
    """
This statement applies to the children's services improvement dashboard. The council
that runs it wants as many people as possible to be able to use it. You should be able to:

- read every chart's figures as text: each chart has a one-sentence summary beneath it,
  which is also its text alternative for screen readers, and a "View as table" of the
  same figures;
- tell RAG ratings apart without colour: every bar segment carries its count, markers
  differ in shape, and tables say the rating in words;
- use presentation mode (`?present=1`) for larger text, and step through a meeting deck
  with the left and right arrow keys;
- use the dashboard in a dark theme: it follows your device's light or dark setting, and
  text keeps at least 4.5:1 contrast in both (charts keep their white background);
- read the panel report's PDF and PowerPoint with a screen reader: every chart has alt
  text (the same summary sentence) and the figures are also given as tables; the PDF's
  language is set to English (UK).

### How accessible this dashboard is

We know some parts are not fully accessible:

- charts are drawn as pictures: a screen reader reads their summary and tables, not the
  marks themselves;
- some tables are wide and scroll sideways at high zoom;
- spreadsheets you download are as accessible as the data in them;
- keyboard-only use is tested for the main flows (choosing a filter by typing, uploading
  and confirming a file, building and saving a deck, stepping through it with the arrow
  keys, making and downloading a panel report), but not yet for every control on every
  page, and zoom to 200% has not yet been checked on every page;
- tables on screen are drawn on a canvas: their text does not grow in presentation mode
  (their figures are in the slide's sentence and in the downloads), and the PDF report
  is not a fully tagged PDF (its text is in reading order, but tables are not marked up
  as tables).

### Feedback and contact

If you find a problem not listed here, or need the figures in another format, contact
the performance team that runs this dashboard for your council. We aim to reply within
5 working days.

### Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.
If you are not happy with how we respond to your complaint, contact the Equality
Advisory and Support Service (EASS).

### Compliance status

This dashboard is partially compliant with the Web Content Accessibility Guidelines
(WCAG) version 2.2 AA standard, because of the limitations listed above.

### Preparation of this statement

This statement was prepared on 24 November 2026 and reviewed on 28 November 2026. The dashboard's colours are checked by
automated tests for WCAG contrast (at least 4.5:1 for text on every RAG colour), and every
page is checked in a real browser with axe-core on every change, in normal and
presentation mode and in the light and dark themes, with no serious or critical
WCAG 2.2 AA findings.
"""
)
