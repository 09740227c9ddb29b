"""Pure configurator: builds and solves the CP-SAT model from a catalog snapshot and a
request, explains infeasibility, and drives the interactive options engine (SAT). Never
imports FastAPI, SQLAlchemy or the rest of ``app``.

Below, the names the shell uses: it imports them from here (``from app.configurator import
configure``), never from the modules; the configurator's own modules import each other by
path.
"""

from app.configurator.errors import (
    ConfigurationInvalid,
    ConflictItem,
    Infeasible,
    OutOfRange,
    SolverTimeout,
    repair_text,
)
from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.results import Bundle, Solution
from app.configurator.scope import relevant_components, rules_over
from app.configurator.solve import configure
from app.configurator.validate import validate_request

__all__ = [
    "Bundle",
    "ConfigurationInvalid",
    "ConfigurationRequest",
    "ConflictItem",
    "Infeasible",
    "Limits",
    "Need",
    "OptionsEngine",
    "OptionsRequest",
    "OutOfRange",
    "Solution",
    "SolverTimeout",
    "configure",
    "relevant_components",
    "repair_text",
    "rules_over",
    "validate_request",
]
