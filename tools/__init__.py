"""Developer and reviewer tools, one package per job:

- tools.plan: the offline plan (`python -m tools.plan`): the program run under mocks, the plan files,
  the tool-config files, the estimate, adoption's import.json;
- tools.preflight: read-only checks of the real accounts before `pulumi up` (`python -m tools.preflight`);
- tools.review: the plan diff and the fork pull request's comment, standard library only;
- tools.diagrams: the Mermaid diagrams of a plan, standard library only (the review tools draw them);
- tools.generate: files generated from the code and checked in (the stack schema, the package's
  input types, the instance catalog);
- tools.deploy: what runs around a real deployment (OpenShift's install-config.yaml, CI's render
  directory, the sandbox workflow's stack).

This file imports nothing: the review tools run with a bare Python that has only the standard library.
"""
