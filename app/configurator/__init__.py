"""Pure configurator: builds and solves the CP-SAT model from a catalog snapshot and a request.

Filled in by the configurator issue; never imports FastAPI or SQLAlchemy.
"""
