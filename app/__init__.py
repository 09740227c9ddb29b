"""The imperative shell of Offerwright: CLI now; API, database, services and documents later."""
