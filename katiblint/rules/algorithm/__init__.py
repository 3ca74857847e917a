"""The suggestion and early-stopping services: algorithm names, settings and what each accepts."""
