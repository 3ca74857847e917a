"""The search space: parameters, their types and feasible spaces."""
