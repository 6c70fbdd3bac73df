"""Pure chart builders: a DataFrame in, a Plotly figure out; no Streamlit, no SQL."""
