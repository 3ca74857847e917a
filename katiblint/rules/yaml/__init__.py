"""The YAML itself: syntax, keys, tags, aliasing, encoding, unrendered templates."""
