"""The interactive web app (Streamlit): ``painloop app`` or ``python -m painloop.app.launch``.

Pages: Explore (simulate one person and see the loops), Virtual trial and My
diary (upload, validate, fit a personal model, what-if)
and Parameters. The app runs locally, makes no network requests and sends no
usage statistics. Model computations live in :mod:`painloop.app.compute`,
which does not import Streamlit.
"""
