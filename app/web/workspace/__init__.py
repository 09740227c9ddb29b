"""The proposal workspace: the list, a proposal's page and its forms, revision diffs."""
