"""What the grader tells a student, in English and Korean: ``say(MESSAGE, lang, **values)``."""
from ..text import Text


def say(text, lang, **values):
    """``text`` in ``lang`` with ``values`` filled in; a value that is itself a
    Text gives each language its own words."""
    def filled(language):
        return getattr(text, language).format(**{k: getattr(v, language) if isinstance(v, Text) else v
                                                 for k, v in values.items()})
    return Text(filled("en"), filled("ko")).pick(lang)


def each(text, lang):
    """The texts to show in ``lang``: [en], [ko] or [en, ko]."""
    return {"en": [text.en], "ko": [text.ko], "both": [text.en, text.ko]}[lang]


def inline(text, lang):
    """``text`` on one line: in ``lang``, or "English / Korean"."""
    return " / ".join(each(text, lang))

FILE_MISSING = Text(
    "{path} is missing: run `python -m tinynet.exercises init NEW_FOLDER` to get a fresh copy",
    "{path} 파일이 없습니다: `python -m tinynet.exercises init 새_폴더`를 실행하여 새 사본을 받으세요")

DOES_NOT_IMPORT = Text(
    "{file} does not import: {error}",
    "{file}을(를) import할 수 없습니다: {error}")

NAME_MISSING = Text(
    "{file} no longer defines {name}; keep its name",
    "{file}에 {name}이(가) 없습니다: 이름을 바꾸지 마세요")

RAISED = Text(
    "{file}: {name} raised {error}",
    "{file}: {name}에서 오류가 발생했습니다: {error}")

GRAD_IS_NONE = Text(
    " (a parameter's .grad is None until its first gradient arrives: add gradients with "
    "param.accumulate_grad(g))",
    " (매개변수의 .grad는 첫 기울기가 더해지기 전까지 None입니다: 기울기는 "
    "param.accumulate_grad(g)로 더하세요)")

DOES_NOT_MATCH = Text(
    "{file}: {name}.backward does not match the finite differences (tinynet.gradcheck):",
    "{file}: {name}.backward의 기울기가 수치 미분과 다릅니다 (tinynet.gradcheck의 진단):")

SHARED_FAILS = Text(
    "{file}: {name} passes gradcheck when called once, but not when one {name} is called {calls} "
    "times before one backward (y = layer(x0) + layer(x1) + ..., as in a model that reuses a layer). "
    "gradcheck of that model:",
    "{file}: {name}은(는) 한 번 호출하면 gradcheck를 통과하지만, 계층을 재사용하는 모델처럼 한 {name}을(를) "
    "역전파 전에 {calls}번 호출하면 (y = layer(x0) + layer(x1) + ...) 통과하지 못합니다. "
    "그 모델의 gradcheck 결과:")

OVERWRITTEN = Text(
    "{file}: the gradient of {param} was overwritten, not accumulated. When one {name} is called "
    "{calls} times before one backward, {param}.grad must be the sum of every call's gradient, but "
    "{name}.backward replaced what the earlier backward calls had put there. Add the gradient with "
    "self.{param}.accumulate_grad(g), not self.{param}.grad = g.",
    "{file}: {param}의 기울기가 누적되지 않고 덮어쓰였습니다. 한 {name}을(를) 역전파 전에 {calls}번 "
    "호출하면 {param}.grad는 모든 호출의 기울기를 더한 값이어야 하는데, {name}.backward가 앞선 "
    "역전파 호출이 넣어 둔 값을 지워 버렸습니다. self.{param}.grad = g 대신 "
    "self.{param}.accumulate_grad(g)로 기울기를 더하세요.")

STATE_ON_SELF = Text(
    "{file}: {name}.backward gives other gradients when {name} was called again before it: it reads "
    "something forward stored on self (such as self.x), which the later call replaced. Return "
    "everything backward needs in the cache (return out, cache) and read it from there.",
    "{file}: {name}을(를) 다시 호출한 뒤에 역전파하면 기울기가 달라집니다: backward가 forward에서 "
    "self에 저장한 값(예: self.x)을 읽는데, 나중 호출이 그 값을 바꿔 놓았습니다. backward에 필요한 "
    "것은 모두 캐시로 반환하고(return out, cache) 거기에서 읽으세요.")

DIFFERS = Text(
    "{file}: {name} differs from the reference in case {number} of {count} (arguments: {args}): "
    "{what}{where}: got {got}, expected {expected}",
    "{file}: {name}의 결과가 정답과 다릅니다 (사례 {number}/{count}, 인자: {args}): "
    "{what}{where}: 결과 {got}, 정답 {expected}")

KNOWN_MISTAKE = Text("hint [{kind}] {cause}", "힌트 [{kind}] {cause}")

RETURNED = Text("the returned value", "반환값")
ARGUMENT_AFTER = Text("argument {number} after the call", "호출 후의 {number}번째 인자")
SHAPE = Text("shape {shape}", "모양 {shape}")
ENTRY = Text(", entry {index}", ", 위치 {index}")
