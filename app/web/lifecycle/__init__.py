"""A component version's lifecycle: its where-used impact, then the moves this role may make."""
