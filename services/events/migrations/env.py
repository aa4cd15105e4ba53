from services.events.adapters.orm import metadata
from shared.db import messaging_metadata
from shared.migrations import run_env

run_env([metadata, messaging_metadata])
