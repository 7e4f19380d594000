"""The live account as code, in its two flavours side by side: stack config for stacks/, or an import file."""
