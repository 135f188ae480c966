"""Metrics and logs for operators (docs/operations.md): no personal data in either."""
