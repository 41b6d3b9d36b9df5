"""Pure builders of IAM documents: plain dicts, no resources and no Outputs; grammar.py is the shared vocabulary."""
