"""Packaged JSON Schemas: the AIMS export contract, the configuration and the JSON report."""
