"""The pipeline's own findings: an unused suppression, a rule that failed."""
