"""The tkg-aws program: config, components and the composition root (stack.build)."""
