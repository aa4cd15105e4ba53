"""Above the services: the `dxday` command, the embedded nats-server, the NATS permission topology,
the demo campaign and the API documents. It may import the services; they never import it."""
