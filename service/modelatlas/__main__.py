"""`python -m modelatlas` runs the CLI, for environments without the console script on PATH."""

from modelatlas.cli import main

main()
