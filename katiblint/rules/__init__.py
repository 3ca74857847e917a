"""One module per rule; every public module here is imported by `registry.discover()`."""
