"""Turn a template module into the student's file: blank, solved or buggy.

A template is a real Python module. The student's part stands between two
marker lines, at the indentation of the code it replaces::

        x = cache
        # BEGIN SOLUTION
        # TODO: return dx = dL/dx (N, in)
        return dout @ self.weight.data
        # END SOLUTION

``blank`` keeps the TODO lines and puts ``raise NotImplementedError(...)``
in place of the code; ``solution`` keeps the code and drops the markers and
the TODO lines; ``with_bug`` replaces the one line containing a given text.
"""
import ast

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
TODO = "# TODO"


class TemplateError(ValueError):
    """A template or bug definition that cannot be rendered; the message names the file and line."""


def _regions(lines, where):
    """[(begin index, end index)] of the marked regions; refuses unbalanced markers."""
    regions, begin = [], None
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise TemplateError(f"{where}:{i + 1}: {BEGIN} inside the region opened at line {begin + 1}")
            begin = i
        elif marker == END:
            if begin is None:
                raise TemplateError(f"{where}:{i + 1}: {END} without a {BEGIN} before it")
            regions.append((begin, i))
            begin = None
    if begin is not None:
        raise TemplateError(f"{where}:{begin + 1}: {BEGIN} is never closed by {END}")
    if not regions:
        raise TemplateError(f"{where}: no part for the student: mark it with {BEGIN} ... {END}")
    return regions


def _render(text, where, region):
    lines = text.splitlines(keepends=True)
    out, start = [], 0
    for begin, end in _regions(lines, where):
        indent = lines[begin][:len(lines[begin]) - len(lines[begin].lstrip())]
        out += lines[start:begin] + region(lines[begin + 1:end], indent)
        start = end + 1
    return "".join(out + lines[start:])


def _is_todo(line):
    return line.strip().startswith(TODO)


def solution(text, where="template"):
    """The template with every marked region's code kept, markers and TODO lines dropped."""
    return _render(text, where, lambda body, indent: [line for line in body if not _is_todo(line)])


def blank(text, missing, where="template"):
    """The template with every marked region replaced by its TODO lines and a
    ``raise NotImplementedError(missing)``, ``missing`` being the message (it
    may hold several lines: one per language)."""
    parts = missing.split("\n")

    def region(body, indent):
        todo = [line for line in body if _is_todo(line)]
        if len(parts) == 1:
            literal = repr(parts[0])
        else:
            pieces = [repr(p + "\n") for p in parts[:-1]] + [repr(parts[-1])]
            literal = "".join(f"\n{indent}    {p}" for p in pieces)
        return todo + [f"{indent}raise NotImplementedError({literal})\n"]
    return _render(text, where, region)


def with_bug(text, fixed, buggy, where="template"):
    """``text`` with the one line that contains ``fixed`` replaced by ``buggy``
    (at that line's indentation; the line's comment goes with it)."""
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if fixed in line]
    if len(found) != 1:
        raise TemplateError(f"{where}: the bug replaces the line containing {fixed!r}, which must occur "
                            f"exactly once in the fixed code, but occurs {len(found)} times")
    [i] = found
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = f"{indent}{buggy}\n"
    return "".join(lines)


def with_docstring(text, docstring):
    """``text`` with its module docstring replaced by ``docstring`` (added if it has none)."""
    module = ast.parse(text)
    lines = text.splitlines(keepends=True)
    escaped = docstring.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    new = ['"""' + escaped + '\n"""\n']
    first = module.body[0] if module.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return "".join(lines[:first.lineno - 1] + new + lines[first.end_lineno:])
    return "".join(new + lines)
