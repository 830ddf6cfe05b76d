"""Packaged JSON Schemas: the AIMS export contract (aims-export.schema.json)."""
