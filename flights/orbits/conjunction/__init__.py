"""Conjunction assessment: CCSDS Conjunction Data Messages (CDM, CCSDS 508.0-B-1) and Foster's 2D Pc.

Pure Python + numpy, no Django imports (like the rest of `flights.orbits`):

- `cdm`: `parse_cdm` (KVN reader that refuses with the line and field), `write_cdm` (KVN writer),
  the `ConjunctionMessage` / `CdmObject` records;
- `pc`: `foster_pc` (2D Pc for a circular hard body on the encounter plane, CARA's eigenvalue
  clipping of a non-positive-definite projected covariance), `rtn_to_inertial`, `encounter`;
- `errors`: `CdmError` (with `line` and `field`).
"""
