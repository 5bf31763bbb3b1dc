"""manage.py search_reindex: rebuild the search index in one pass (docs/search.md)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from directory.services.search_index import search_index_rebuild, search_index_vacuum


class Command(BaseCommand):
    help = (
        "Re-derive studio_search, studio_search_facet and studio_search_word from the studios"
        " (after a bulk load; also restores studio_search's name order)."
    )

    def handle(self, *args, **options) -> None:
        start = time.monotonic()
        listed = search_index_rebuild()
        search_index_vacuum()
        self.stdout.write(f"{listed} listed studios indexed in {time.monotonic() - start:.1f} s")
