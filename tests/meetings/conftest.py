from tests.urgent_world import cardio_primary, heart, meeting  # noqa: F401 (fixtures; a module's own wins)
