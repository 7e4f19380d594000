"""Pulumi programs the e2e tests run beside this project's own (each is copied in as a stack's program)."""
