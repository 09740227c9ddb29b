"""Run every benchmark: ``.venv/bin/python -m benchmarks``; results in benchmarks/RESULTS.md."""

from __future__ import annotations

import sys

from benchmarks import (
    api_list,
    assurance,
    catalog_load,
    configurator,
    customer,
    insights,
    load,
    options,
    pricing,
    proposals,
    web,
)

if __name__ == "__main__":
    for benchmark in (
        catalog_load,
        api_list,
        pricing,
        configurator,
        options,
        assurance,
        proposals,
        customer,
        web,
        insights,
        load,
    ):
        sys.argv = [benchmark.__name__]
        benchmark.main()
