"""The explorer: random histories of program changes, engine operations, outside edits, faults and API answers
under the real Pulumi CLI, with invariants checked after every step (`make explore`; docs/explorer.md)."""
