"""TKG's IAM documents as pure builders: CAPA's roles and TKG's inline statements, and the cross-account
grants of the workload accounts; plain dicts built from the grammar in components/policies."""
