"""Children's services improvement dashboard: what is loaded, at a glance."""

from __future__ import annotations

import streamlit as st

import queries
from loaders import settings

st.set_page_config(page_title="Improvement plan dashboard", layout="wide")


@st.cache_resource
def connection(path: str):
    return queries.connect(path)


con = connection(str(settings.db_path())).cursor()
st.title("Improvement plan dashboard")
plans = queries.plan_summaries(con)
if plans.empty:
    st.info(
        "No action plan is loaded yet. Load one from the command line with "
        "`python -m loaders import PATH/TO/PLAN.xlsx` and refresh this page."
    )
else:
    st.subheader("Action plans: latest snapshot")
    st.dataframe(plans, hide_index=True, use_container_width=True)
    st.caption(f"{queries.upload_count(con)} upload(s) in {settings.db_path().name}.")
