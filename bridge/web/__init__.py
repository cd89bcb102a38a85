"""The HTTP layer: thin views over the services. The only package (with the CLI and the
emulator app) that imports Flask."""
