"""Keep Python's recursion limit at its default in every process.

py_ecc (eth-account imports it through eth-keyfile) runs `sys.setrecursionlimit(100000)` when it is
imported. At that limit, code that recurses in C (the json decoder does, once per nesting level)
overflows the thread's C stack before Python raises RecursionError: one 200 KB request of nested
brackets killed a gunicorn worker with SIGSEGV. So py_ecc is imported here first, to have its side
effect over with, and the limit is put back. Nothing we run recurses deeply: eth-keys' pure-Python
scalar multiplication, the deepest, goes about 256 frames down.
"""
import sys

PYTHON_DEFAULT = 1000


def restore_default_recursion_limit() -> None:
    import py_ecc  # noqa: F401  (a later import is a no-op, so it can't raise the limit again)

    sys.setrecursionlimit(PYTHON_DEFAULT)
