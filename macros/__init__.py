"""MkDocs adapters: the macros module, the build hook and the page templates."""
