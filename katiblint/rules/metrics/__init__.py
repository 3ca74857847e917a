"""Metrics collection: collectors, metric names, formats and files."""
