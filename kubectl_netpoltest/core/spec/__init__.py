"""The test spec: YAML → validated Spec, every problem reported with FILE:LINE:COLUMN."""
