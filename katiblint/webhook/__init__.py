"""`katiblint webhook`: the rules at the cluster's door, as a validating admission webhook.

`review` judges one `admission.k8s.io/v1` AdmissionReview (no I/O); `app` is the ASGI application
that serves it with probes, a body limit and a time limit; `server` runs it on uvicorn over TLS and
reloads the certificate when the mounted files rotate; `command` is the click subcommand.
"""
