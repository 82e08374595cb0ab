"""Streamlit entry point: `streamlit run app.py` (or `make run`). The app lives in assistant.present.app."""
import streamlit as st

st.set_page_config(page_title="ブリーフィング支援", page_icon=":material/account_balance:", layout="wide")

from assistant.present.app import main  # noqa: E402  (page config first)

main()
