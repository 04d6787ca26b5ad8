from tests.urgent_world import (  # noqa: F401 (fixtures)
    cardio_primary,
    heart,
    meeting,
    myocarditis,
    urgent_case,
)
