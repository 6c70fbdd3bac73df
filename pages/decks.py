"""Meeting decks: build an ordered set of views with speaker notes, save it, and step
through it full screen from a link (/decks?deck=N&present=1)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

import signin
import ui
from report import decks
from report.views import KINDS, NoData, describe

ui.ensure_navigation()
con = ui.connection()


def _deck_id(param: str) -> int | None:
    value = ui.param(param) or ""
    return int(value) if value.isdigit() else None


def _go(slide: int) -> None:
    ui.set_param("slide", str(slide))
    st.session_state["deck_moved"] = slide  # this window moved: the other windows follow


# The presenter's window and the audience's show the same slide: whichever moves tells the
# other through the browser (a BroadcastChannel per deck, between windows of this browser),
# which shows that slide in place, as Back and Forward do, without reloading the page.
# PageDown and PageUp (what most clickers send) work as the arrow keys do.
FOLLOW_SCRIPT = """
(() => {
  const name = 'dashboard-deck-%(deck)d';
  if (window.dashboardDeck && window.dashboardDeck.name !== name) {
    window.dashboardDeck.close(); window.dashboardDeck = null;
  }
  if (!window.dashboardDeck) {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event) => {
      const url = new URL(window.location.href);
      if (url.searchParams.get('deck') !== '%(deck)d') return;
      if (url.searchParams.get('slide') === String(event.data.slide)) return;
      url.searchParams.set('slide', event.data.slide);
      window.history.replaceState({}, '', url);
      window.dispatchEvent(new PopStateEvent('popstate'));
    };
    window.dashboardDeck = channel;
  }
  if (!window.dashboardClicker) {
    window.dashboardClicker = true;
    window.addEventListener('keydown', (event) => {
      if (event.target.closest && event.target.closest('input, textarea, select')) return;
      const which = {PageDown: 'deck_next', PageUp: 'deck_previous'}[event.key];
      const button = which && document.querySelector('.st-key-' + which + ' button');
      if (button && !button.disabled) { event.preventDefault(); button.click(); }
    });
  }
  %(tell)s
})();
"""

# The presenter's clock: the time of day and how long the window has been open.
CLOCK = """
<div class="deck-clock" role="timer" aria-live="off"><span data-now></span>
  <span data-since></span></div>
<style>.st-key-presenter_note p { font-size: 1.5rem; line-height: 1.45; }
.deck-clock { font-size: 1.6rem; font-variant-numeric: tabular-nums; }
.deck-clock span[data-since] { opacity: 0.85; margin-left: 1rem; }</style>
<script>
(() => {
  const start = window.dashboardPresenterSince = window.dashboardPresenterSince || Date.now();
  const tick = () => {
    for (const clock of document.querySelectorAll('.deck-clock')) {
      const now = new Date();
      clock.querySelector('[data-now]').textContent =
        now.toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit'});
      const minutes = Math.floor((Date.now() - start) / 60000);
      clock.querySelector('[data-since]').textContent = minutes + ' min presenting';
    }
  };
  tick();
  clearInterval(window.dashboardClockTimer);
  window.dashboardClockTimer = setInterval(tick, 1000);
})();
</script>
"""


def _follow(deck: decks.Deck, number: int) -> None:
    """Keep this window and the deck's other windows on one slide (FOLLOW_SCRIPT)."""
    moved = st.session_state.pop("deck_moved", None)
    tell = f"window.dashboardDeck.postMessage({{slide: {number}}});" if moved else ""
    # The run's own slide number keeps a message from being taken for the previous one.
    ui.script(
        FOLLOW_SCRIPT % {"deck": deck.deck_id, "tell": tell} + f"// {number} {moved}",
        key="deck_follow",
    )


def _buttons(number: int, total: int, back: Any, ahead: Any) -> None:
    back.button(
        "Previous", icon=":material/arrow_back:", shortcut="Left", disabled=number == 1,
        on_click=_go, args=(number - 1,), key="deck_previous", width="stretch",
    )  # fmt: skip
    ahead.button(
        "Next", icon=":material/arrow_forward:", shortcut="Right", disabled=number == total,
        on_click=_go, args=(number + 1,), key="deck_next", width="stretch",
    )  # fmt: skip


def _slide(slide: decks.Slide, *, title: bool = True) -> None:
    try:
        ui.show(ui.view("build", slide.kind, slide.params), title=title)
    except NoData as exc:
        st.warning(
            ui.literal(f"{describe(slide.kind, slide.params)}: {exc}")
            + " Edit the deck to change it."
        )


def _presenter_link(deck: decks.Deck, number: int, container: Any) -> None:
    container.link_button(
        "Open presenter view",
        _link(deck.deck_id, slide=number, presenter=True),
        icon=":material/co_present:",
        help="Opens a window for you alone: this slide, the next, the speaker note and a "
        "clock. This window follows it.",
    )


def present(deck: decks.Deck) -> None:
    """One slide of a deck: its view, Previous and Next (also the arrow keys). The speaker
    note is on the deck's own page and in the presenter's window, never on the shared screen."""
    total = len(deck.slides)
    value = ui.param("slide") or "1"
    number = min(max(int(value) if value.isdigit() else 1, 1), total)
    if ui.param("presenter") == "1":
        presenter(deck, number)
        return
    slide = deck.slides[number - 1]
    _follow(deck, number)
    where, leave, back, ahead = st.columns([3, 2, 1, 1], vertical_alignment="center")
    where.caption(f"{ui.literal(deck.name)} · slide {number} of {total}")
    if ui.presenting():
        ui.exit_presentation("pages/decks.py", leave)
    else:
        _presenter_link(deck, number, leave)
    _buttons(number, total, back, ahead)
    _slide(slide)
    if ui.presenting():
        return
    with st.expander("Speaker note", expanded=True):
        st.markdown(ui.literal(slide.note) if slide.note else "No note for this slide.")
    st.page_link(
        "pages/decks.py",
        label="Present full screen",
        icon=":material/slideshow:",
        query_params={"deck": str(deck.deck_id), "slide": str(number), "present": "1"},
    )
    st.page_link("pages/decks.py", label="All decks", icon=":material/list:")


def presenter(deck: decks.Deck, number: int) -> None:
    """The presenter's own window: this slide, the next, the speaker note and a clock. The
    audience's window (the same deck in presentation mode) follows it, and it follows that."""
    total = len(deck.slides)
    slide = deck.slides[number - 1]
    _follow(deck, number)
    where, clock, back, ahead = st.columns([3, 2, 1, 1], vertical_alignment="center")
    where.markdown(f"**Presenter view** · {ui.literal(deck.name)} · slide {number} of {total}")
    with clock:
        st.html(CLOCK, unsafe_allow_javascript=True)
    _buttons(number, total, back, ahead)
    now, then = st.columns([3, 2], gap="large")
    with now:
        _slide(slide, title=False)
    with then:
        st.subheader("Speaker note")
        with st.container(key="presenter_note"):
            st.markdown(ui.literal(slide.note) if slide.note else "No note for this slide.")
        st.subheader("Next")
        if number < total:
            following = deck.slides[number]
            st.markdown(
                ui.literal(f"Slide {number + 1}: {describe(following.kind, following.params)}")
            )
            if following.note:
                st.caption(ui.literal(f"Note: {following.note}"))
        else:
            st.markdown("This is the last slide.")


def _draft(deck: decks.Deck | None) -> dict:
    """The deck being edited, kept in the session until it is saved."""
    wanted = deck.deck_id if deck else None
    draft = st.session_state.get("deck_draft")
    if draft is None or draft["deck_id"] != wanted:
        draft = {
            "deck_id": wanted,
            "name": deck.name if deck else "",
            "slides": [
                {"uid": uuid.uuid4().hex, "kind": s.kind, "params": s.params, "note": s.note}
                for s in (deck.slides if deck else [])
            ],
        }
        st.session_state["deck_draft"] = draft
    return draft


def _move(slides: list, i: int, step: int) -> None:
    slides[i], slides[i + step] = slides[i + step], slides[i]


def _add(draft: dict, kind: str, params: dict) -> None:
    draft["slides"].append({"uid": uuid.uuid4().hex, "kind": kind, "params": params, "note": ""})


def editor(deck: decks.Deck | None) -> None:
    draft = _draft(deck)
    st.subheader(f"Edit “{ui.literal(deck.name)}”" if deck else "New deck")
    draft["name"] = st.text_input(
        "Deck name", draft["name"], placeholder="Corporate parenting panel, March"
    )

    plans = ui.query("plans")
    area = ui.query("default_area")
    names = list(ui.query("indicators", area)["indicator"]) if area else []
    with st.container(border=True):
        st.markdown("**Add a view**")
        kinds = [k for k, kind in KINDS.items() if (plans if "plan" in kind.needs else names)]
        if not kinds:
            ui.nothing_loaded("Nothing is loaded to show in a deck yet.", "Upload a spreadsheet")
        left, right = st.columns(2)
        kind = left.selectbox("View", kinds, format_func=lambda k: KINDS[k].label, key="add_kind")
        needs = KINDS[kind].needs
        if "plan" in needs:
            params = {"plan": right.selectbox("Plan", plans, key="add_plan")}
        elif "indicators" in needs:
            chosen = right.multiselect("Indicators", names, default=names[:4], key="add_indicators")
            params = {"indicators": chosen, "area": area}
        else:
            params = {"indicator": right.selectbox("Indicator", names, key="add_indicator")}
            params["area"] = area
        st.button(
            "Add to the deck", icon=":material/add:", on_click=_add, args=(draft, kind, params)
        )

    slides = draft["slides"]
    for i, slide in enumerate(slides):
        with st.container(border=True):
            text, up, down, remove = st.columns([6, 1, 1, 1], vertical_alignment="center")
            text.markdown(f"**{i + 1}. {ui.literal(describe(slide['kind'], slide['params']))}**")
            up.button("Up", key=f"up_{slide['uid']}", disabled=i == 0, on_click=_move,
                      args=(slides, i, -1), icon=":material/arrow_upward:")  # fmt: skip
            down.button("Down", key=f"down_{slide['uid']}", disabled=i == len(slides) - 1,
                        on_click=_move, args=(slides, i, 1), icon=":material/arrow_downward:")  # fmt: skip
            remove.button("Remove", key=f"remove_{slide['uid']}", on_click=slides.pop, args=(i,),
                          icon=":material/delete:")  # fmt: skip
            slide["note"] = st.text_area(
                f"Speaker note for slide {i + 1}", slide["note"], key=f"note_{slide['uid']}",
                height=68, placeholder="What to say, or what to ask the lead",
            )  # fmt: skip

    if st.button("Save deck", type="primary", icon=":material/save:"):
        try:
            deck_id = decks.save(
                con,
                decks.Deck(
                    draft["name"],
                    [decks.Slide(s["kind"], s["params"], s["note"]) for s in slides],
                    draft["deck_id"],
                ),
                signin.actor(),
            )
        except decks.DeckError as exc:
            st.error(ui.literal(exc))
            return
        st.session_state.pop("deck_draft", None)
        ui.set_param("edit", None)
        st.session_state["deck_saved"] = deck_id
        st.rerun()


def _link(deck_id: int, slide: int | None = None, presenter: bool = False) -> str:
    """The address that opens a deck ready to present, to paste into an invitation (or, with
    ``presenter``, the presenter's own window on a slide)."""
    here = urlsplit(st.context.url or "")
    origin = f"{here.scheme}://{here.netloc}" if here.netloc else ""
    base = here.path.rsplit("/", 1)[0]  # keeps a path the dashboard is served under
    query = {"deck": deck_id, **({"slide": slide} if slide else {})}
    query |= {"presenter": 1} if presenter else {"present": 1}
    return f"{origin}{base}/decks?{urlencode(query)}"


def listing() -> None:
    stored = decks.listing(con)
    if saved := st.session_state.pop("deck_saved", None):
        st.success("Deck saved. Its link opens it ready to present.", icon=":material/check:")
    if stored.empty:
        st.info("No decks yet. Build one below: choose views, put them in order, add notes.")
    for row in stored.itertuples():
        with st.container(border=True):
            text, show, edit, remove = st.columns([4, 2, 1, 1], vertical_alignment="center")
            who = f" by {ui.literal(row.saved_by)}" if row.saved_by else ""
            text.markdown(
                f"**{ui.literal(row.name)}**{' (just saved)' if row.deck_id == saved else ''}  \n"
                f"{ui.plural(int(row.slides), 'slide')}, saved {ui.date_text(row.saved_at)}{who}"
            )
            show.page_link(
                "pages/decks.py", label="Present", icon=":material/slideshow:",
                query_params={"deck": str(row.deck_id), "present": "1"},
            )  # fmt: skip
            st.code(_link(row.deck_id), language=None, wrap_lines=True)  # with a copy button
            if not signin.may("deck saved"):
                continue
            edit.page_link(
                "pages/decks.py", label="Edit", icon=":material/edit:",
                query_params={"edit": str(row.deck_id)},
            )  # fmt: skip
            if remove.button("Delete", key=f"delete_{row.deck_id}", icon=":material/delete:"):
                st.session_state["deck_delete"] = row.deck_id
            if st.session_state.get("deck_delete") == row.deck_id:
                st.warning(
                    f"Delete the deck “{ui.literal(row.name)}”? Its views and data are not affected."
                )
                if st.button("Yes, delete it", key=f"confirm_{row.deck_id}", type="primary"):
                    decks.delete(con, row.deck_id, signin.actor())
                    st.session_state.pop("deck_delete", None)
                    st.rerun()


showing = _deck_id("deck")
if showing is not None:
    deck = decks.load(con, showing)
    if deck is None:
        st.error(f"There is no deck number {showing}; it may have been deleted.")
        st.page_link("pages/decks.py", label="All decks", icon=":material/list:")
    else:
        present(deck)
    st.stop()

st.title("Meeting decks")
st.markdown(
    "A deck is the views you want to show at a meeting, in order, each with a speaker note. "
    "It always shows the latest data. Present it from its link; step through with **Next** "
    "and **Previous** or the **left and right arrow keys**."
)
listing()
if signin.may("deck saved"):
    editing = _deck_id("edit")
    editor(decks.load(con, editing) if editing is not None else None)
else:
    signin.role_note("deck saved")
