"""Loading and validating call files (CPython side only: YAML, JSON Schema, file:line)."""
