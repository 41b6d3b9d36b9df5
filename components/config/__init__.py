"""The stack config: typed models and defaults (models.py), field rules (validators.py), rules
across keys (rules.py), the stack's provider settings (provider_settings.py), stack files
(stack_files.py), and loading with every problem reported at once (loading.py).

Each platform's own sections and rules live in its folder (components/<platform>/config.py, rules.py);
models.py and loading.py still import them to assemble StackConfig and run every rule.
"""
