"""The compiled fast path of fingerprinting (difftool/_fastprint.c).

Everything else about the package is in pyproject.toml. The extension is optional: where
no C compiler is found at install time it is skipped, and difftool.fingerprint computes
the same values with NumPy.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "difftool._fastprint",
            sources=["difftool/_fastprint.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
