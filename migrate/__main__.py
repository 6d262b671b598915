"""``python -m migrate``.

The guard matters: with the ``spawn`` and ``forkserver`` start methods (macOS,
Windows, Linux from Python 3.14) every conversion worker imports this module
again, as ``__mp_main__``, and must not run the command a second time.
"""

from .cli import main

if __name__ == "__main__":
    main()
