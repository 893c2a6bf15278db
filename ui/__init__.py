"""The app's shared view layer: charts (ui.charts, Altair only) and Streamlit helpers (ui.show).

Pages call these so that a chart's colours, a table's number format and the live-run pattern are
written once. Arrows: app_pages -> ui -> core; nothing here imports app_pages or holds page text.
"""
