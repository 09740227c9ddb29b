"""The users admin page: people's accounts, for roles with ``users.manage``."""
