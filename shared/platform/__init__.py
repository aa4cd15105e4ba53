"""The service runtime every service stands on: db, unit of work, outbox, inbox, messaging, rpc,
migrations, observability, clock, errors, configuration."""
