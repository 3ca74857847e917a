"""The trial template: trial parameters, the trial job, its pods and conditions."""
