"""Budget and eligibility calculators for public-health funding calls.

Everything in this package except ``__main__`` is pure standard-library Python: it runs
unchanged under CPython (build, tests, command line) and under Pyodide in the browser.
"""
