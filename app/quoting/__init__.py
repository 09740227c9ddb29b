"""Quoting: priced quotes, configurations solved by the configurator in worker processes,
and the interactive options.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.quoting.configurations.options import OptionsEngines, options
    from app.quoting.configurations.service import (
        ConfigurationIn,
        bundle_body,
        configure,
        request_problems,
        solve,
    )
    from app.quoting.schemas import (
        Answer,
        Bundle,
        BundleLine,
        ConfigurationRequest,
        DecimalText,
        InfeasibleProblem,
        Money,
        Need,
        OptionsRequest,
        Percent,
        Price,
        Totals,
    )
    from app.quoting.solver_pool import InlineSolver, Solver, SolverPool
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "Answer",
    "Bundle",
    "BundleLine",
    "ConfigurationIn",
    "ConfigurationRequest",
    "DecimalText",
    "InfeasibleProblem",
    "InlineSolver",
    "Money",
    "Need",
    "OptionsEngines",
    "OptionsRequest",
    "Percent",
    "Price",
    "Solver",
    "SolverPool",
    "Totals",
    "bundle_body",
    "configure",
    "options",
    "request_problems",
    "solve",
]
