"""The report a person reads: the verdict, each tensor's error, worst entries, hints, warnings."""
import unicodedata

from ..text import Text

_OK = Text("ok", "통과")
_FAILED = Text("FAILED", "실패")
_OK_AT_KINK = Text("ok (see the kink warning)", "통과 (kink 경고 참고)")
_HINT = Text("hint", "힌트")
_WARNING = Text("warning", "경고")
_NEAR_KINK = Text("(near a kink)", "(꺾인 점 근처)")
_COLUMNS = (Text("worst entries", "차이가 가장 큰 항목"), Text("analytic", "역전파(analytic)"),
            Text("numeric", "수치 미분(numeric)"))


def render(result, lang):
    """The report of a GradcheckResult in one language, "en" or "ko"."""
    subject, tolerance = result.subject, result.tolerance
    if result.ok:
        judged = [check.error if check.error <= tolerance else check.error_off_kinks
                  for check in result.details.values()]
        worst = max(judged, default=0.0)
        kinks = Text(", entries near a kink left out: see the warning", ", 꺾인 점 근처 항목은 빼고 잼: 경고 참고") \
            if any(check.error > tolerance for check in result.details.values()) else Text("", "")
        verdict = Text(f"gradcheck {subject}: OK (largest relative error {worst:.1e} <= tolerance {tolerance:.0e}"
                       f"{kinks.en})",
                       f"gradcheck {subject}: 통과 (가장 큰 상대 오차 {worst:.1e} <= 허용 오차 {tolerance:.0e}"
                       f"{kinks.ko})")
    else:
        failed = ", ".join(result.failed)
        verdict = Text(f"gradcheck {subject}: FAILED{f' for {failed}' if failed else ''} (tolerance {tolerance:.0e})",
                       f"gradcheck {subject}: 실패{f' - {failed}' if failed else ''} (허용 오차 {tolerance:.0e})")
    width = max((len(name) for name in result.details), default=1)
    lines = [verdict.pick(lang)]
    for name, check in result.details.items():
        status = _FAILED if not check.ok else _OK_AT_KINK if check.error > tolerance else _OK
        lines.append(f"  {name:<{width}}  {check.error:9.1e}  {status.pick(lang)}")
    for hint in result.layer_hints:
        lines.append(_wrap(f"{_HINT.pick(lang)} [{hint.kind}] {hint.text.pick(lang)}"))
    for check in result.details.values():
        if not check.ok or check.warnings:
            lines.extend(_tensor_report(check, lang))
    return "\n".join(lines)


def _tensor_report(check, lang):
    shape = getattr(check.numeric, "shape", ())
    note = f" ({check.note.pick(lang)})" if check.note else ""
    lines = ["", Text(f"{check.name} {shape}: relative error {check.error:.3g}",
                      f"{check.name} {shape}: 상대 오차 {check.error:.3g}").pick(lang) + note]
    if check.worst:
        label, analytic, numeric = (t.pick(lang) for t in _COLUMNS)
        lines.append(f"  {_pad(label, 24)} {_pad(analytic, 16, right=True)} {_pad(numeric, 16, right=True)}")
        for entry in check.worst:
            where = format_index(check.name, entry.index)
            mark = f"   {_NEAR_KINK.pick(lang)}" if entry.near_kink else ""
            lines.append(f"    {where:<22} {entry.analytic:16.8g} {entry.numeric:16.8g}{mark}")
    for hint in check.hints:
        lines.append(_wrap(f"{_HINT.pick(lang)} [{hint.kind}] {hint.text.pick(lang)}"))
    for warning in check.warnings:
        lines.append(_wrap(f"{_WARNING.pick(lang)} [{warning.kind}] {warning.text.pick(lang)}"))
    return lines


def _wrap(text, width=100):
    """``text`` as indented lines of at most ``width`` columns (a Korean letter takes two)."""
    lines, line = [], "  "
    for word in text.split():
        if _columns(line) + 1 + _columns(word) > width and line.strip():
            lines.append(line)
            line = "      "
        line += ("" if line.isspace() else " ") + word
    return "\n".join(lines + [line])


def _pad(text, width, right=False):
    space = " " * max(width - _columns(text), 0)
    return space + text if right else text + space


def _columns(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_index(name, index):
    """``weight[2, 0]``: an entry of a tensor, as a person writes it."""
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name
