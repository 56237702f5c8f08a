"""``python -m difftool`` runs the ``docdiff`` command."""

from difftool.cli import main

if __name__ == "__main__":
    main()
