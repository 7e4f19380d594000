"""Benchmarks of this project against the engine floor and its peers (run as `python -m bench.<name>`)."""
