"""Verification flights, test objectives, anomalies, sign-offs and certification (see the verification issue)."""
