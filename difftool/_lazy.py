"""Modules imported when first used, not when the importing module is.

NumPy takes 60 to 100 ms to import, more than a warm ``docdiff dedup`` of an unchanged
archive spends on everything else it does (a ``stat`` of each file and the answer the
cache keeps): the modules that need it for arrays name it with :func:`lazy_module`, so
a run that never makes an array never imports it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, loaded when one of its attributes is first read (the standard
    library's :class:`importlib.util.LazyLoader`); the module itself when it is already
    imported. Older Pythons' LazyLoader can race when two threads make that first read
    at once: a program calling docdiff's library from several threads can import NumPy
    itself first."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
