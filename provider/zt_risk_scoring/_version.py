"""The package's version: the one source pyproject.toml, `zt-risk --version` and the User-Agent read."""

__version__ = "0.2.0"
