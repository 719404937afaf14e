"""News-mapping dashboard: find the places news articles mention and map them.

The library (everything outside :mod:`dashboard.app`) never imports Streamlit.
"""

__version__ = "0.1.0"
