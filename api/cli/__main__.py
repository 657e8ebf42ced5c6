"""``python -m api.cli``: the same as the ``govgraph`` command."""

from api.cli import main

if __name__ == "__main__":
    main()
