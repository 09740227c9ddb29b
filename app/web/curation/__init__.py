"""Curating the catalog: edit a draft (fields, documents in Markdown with a preview, stale
saves told who changed what), a new draft, the assurance queue, a catalog import."""
