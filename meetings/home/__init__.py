"""The home page: for each role, the next meeting and the work waiting (docs/architecture.md#the-home-page)."""
