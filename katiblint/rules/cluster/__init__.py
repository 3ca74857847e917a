"""The cluster the Experiment goes to: its katib-config, template ConfigMaps, applied revisions."""
