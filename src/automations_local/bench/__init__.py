"""`make bench`: the project's handler against a bare hand-written one (docs/performance.md)."""
