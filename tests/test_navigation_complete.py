from __future__ import annotations

from django.urls import reverse

from tigre.navigation import NAV_ITEMS


def test_every_navigation_item_points_to_a_page() -> None:
    # visible_items() skips a page that is not installed; in this build every one of them must be.
    for item in NAV_ITEMS:
        assert reverse(item.url_name).startswith("/"), item.url_name
