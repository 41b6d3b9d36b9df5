"""The stack config: typed models and defaults (models.py), field rules (validators.py), rules
across keys (rules.py), the stack's provider settings (provider_settings.py), stack files
(stack_files.py), and loading with every problem reported at once (loading.py).

Nothing here imports the rest of the program; everything else imports from here.
"""
