"""`python -m corslint` entry point."""

from corslint.cli import run

if __name__ == "__main__":
    run()
