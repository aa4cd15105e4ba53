from shared.db import messaging_metadata
from shared.migrations import run_env
from tests.probe import metadata

run_env([metadata, messaging_metadata])
