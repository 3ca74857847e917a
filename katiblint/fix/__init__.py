"""Fixes: edits over source spans (`edits`) and applying them, verified by re-parsing (`apply`)."""
