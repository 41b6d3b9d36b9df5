"""Files generated from the code and checked in, each with a test that fails when it is stale:
the stack files' JSON Schema (stack_schema.py), the component package's input types
(package_types.py) and the EC2 instance catalog (instance_catalog.py).
"""
