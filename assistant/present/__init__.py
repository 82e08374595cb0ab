"""Present stage: the command line, the Streamlit pages and document exports."""
