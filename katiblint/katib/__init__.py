"""The Katib layer: the Experiment facade, the algorithm and field catalogs, the cluster (katib-config,
trial-template ConfigMaps, Namespaces) and unrendered-template detection."""
