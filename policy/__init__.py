"""The tkg-aws policy pack (run with `pulumi preview --policy-pack policy`)."""
