from tests.urgent_world import (  # noqa: F401 (fixtures of the urgent track, over tests/cases/conftest.py's)
    cardio_backup,
    cardio_no_urgent,
    cardio_primary,
    heart,
    meeting,
    myocarditis,
    urgent_case,
)
