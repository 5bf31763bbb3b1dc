"""Studio search (docs/search.md): one module per concern.

parameters (the validated question and its centre), plans (the page queries), text (the
tsquery and its typo fallback), spatial (radius and box filters), cards (result cards),
cache (the page cache's key), map (markers), featured (featured and spotlight), bits (type
and service bits), filters (saved-search filters), serializers (parameters in, cards out),
sqlite (what embedded mode's SQLite needs).

Import from the modules themselves; this package imports nothing, so loading any one of
them does not load the rest.
"""
