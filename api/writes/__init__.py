"""Units of work: create, patch, retire, restore and merge items, with history, idempotency and the search index; ingest."""
