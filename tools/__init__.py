"""Developer and reviewer tools: the offline plan (tools.plan) and the mocks it runs on."""
