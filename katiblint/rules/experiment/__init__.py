"""The Experiment object: API version, sections, field types, name, counts, objective."""
