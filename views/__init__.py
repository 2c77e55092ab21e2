"""Page models: what each page shows for typed choices on a data set, Streamlit-free and shared."""
