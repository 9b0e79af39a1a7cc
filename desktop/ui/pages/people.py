"""What the two lists of people share: customers and staff are both rows of the users table."""

from __future__ import annotations

from desktop.domain.listing import PersonFilter, Sort
from desktop.domain.records import PersonRow
from desktop.ui.pages.base import ListPage, tr


class PeoplePage(ListPage[PersonRow, PersonFilter]):
    """People by name, found by name, e-mail or phone; their list follows the users table."""

    def live_tables(self) -> frozenset[str]:
        return frozenset({"users"})

    def default_sort(self) -> Sort:
        return Sort("name")

    def search_hint(self) -> str:
        return tr("Search by name, e-mail or phone (Ctrl+F)")
