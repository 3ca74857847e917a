"""The platform around Katib: Istio sidecars."""
