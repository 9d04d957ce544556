"""What a check refuses before it runs anything, with a message that names the problem.

Finite differences need finite float64 numbers to move: an input or a
parameter holding NaN or inf would make every comparison meaningless (and a
correct layer look wrong), and an empty batch has no gradient to check. Any
memory layout is fine: the entries are moved one at a time by their index.
"""
import numpy as np

from ..text import Text
from .report import format_index


def input_array(value, name, check, lang):
    """``value`` as a new float64 array (its layout kept), refused if it is not numbers, empty or not finite."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:        # ragged lists
        raise ValueError(Text(f"{check}: {name} must be an array of numbers: {error}",
                              f"{check}: {name}은(는) 숫자 배열이어야 합니다: {error}").pick(lang)) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(Text(f"{check}: {name} must be an array of real numbers, got dtype {array.dtype}",
                             f"{check}: {name}은(는) 실수 배열이어야 하는데 dtype이 {array.dtype}입니다").pick(lang))
    array = np.array(array, dtype=np.float64, order="K")
    refuse_empty(array, name, check, lang)
    refuse_nonfinite(array, name, check, lang)
    return array


def refuse_empty(array, name, check, lang):
    if array.size:
        return
    if array.ndim and array.shape[0] == 0:
        raise ValueError(Text(
            f"{check}: the batch is empty ({name} has shape {array.shape}, 0 rows), so there is no gradient "
            "to check: pass at least one row",
            f"{check}: 배치가 비어 있어서({name}의 모양 {array.shape}, 행 0개) 검사할 기울기가 없습니다. "
            "한 행 이상을 넣으세요").pick(lang))
    raise ValueError(Text(f"{check}: {name} has no entries (shape {array.shape}), so there is no gradient to check",
                          f"{check}: {name}에 항목이 없어서(모양 {array.shape}) 검사할 기울기가 없습니다").pick(lang))


def refuse_nonfinite(array, name, check, lang):
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if array.ndim else ()
    first = f"{format_index(name, index)} = {array[index]}"
    count = int(bad.sum())
    raise ValueError(Text(
        f"{check}: {name} holds {count} NaN or inf value{'' if count == 1 else 's'} (the first is {first}): "
        "finite differences "
        "around a value that is not finite measure nothing, and a correct backward would look wrong. "
        "Check with finite values",
        f"{check}: {name}에 NaN 또는 inf 값이 {count}개 있습니다(처음은 {first}). 유한하지 않은 값 "
        "주변의 수치 미분은 아무것도 재지 못해서 맞는 역전파도 틀려 보입니다. 유한한 값으로 검사하세요").pick(lang))


def check_parameters(params, subject, check, lang):
    """Every parameter must be a finite float64 array (``layer.double()``)."""
    for name, p in params:
        data = np.asarray(p.data)
        if data.dtype != np.float64:
            raise TypeError(Text(
                f"{check} needs float64 parameters, but {subject}'s {name} is {data.dtype}: call layer.double() "
                "first",
                f"{check}에는 float64 매개변수가 필요한데 {subject}의 {name}이(가) {data.dtype}입니다. 먼저 "
                "layer.double()을 호출하세요").pick(lang))
        refuse_nonfinite(data, name, check, lang)
