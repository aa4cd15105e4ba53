from shared.platform.db import messaging_metadata
from shared.platform.migrations import run_env
from tests.probe import metadata

run_env([metadata, messaging_metadata])
