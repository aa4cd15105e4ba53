from services.identity.adapters.orm import metadata
from shared.platform.db import messaging_metadata
from shared.platform.migrations import run_env

run_env([metadata, messaging_metadata])
