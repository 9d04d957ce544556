"""What the l1 and l2 sweeps share: their configurations and findings."""
import numpy as np

from tinynet.text import Text

from .config import RunConfig
from .report_text import acc, points, spread_points, verb

LEARNED = 0.5        # seeds below this train accuracy never learned to fit the training images


PROXIMAL = Text("proximal", "근접 스텝")


def penalty_sweep(kind, lambdas):
    """One baseline configuration per λ of an "l1" or "l2" penalty."""
    return tuple(RunConfig(f"{kind}_{lam:g}", f"{kind.upper()} λ = {lam:g}", **{kind: lam})
                 for lam in lambdas)


def proximal_sweep(lambdas):
    """The L1 configurations of ``lambdas`` (> 0) minimised with SGD's proximal step."""
    return tuple(RunConfig(f"l1_{lam:g}_proximal", f"L1 λ = {lam:g}, {PROXIMAL.en}", l1=lam,
                           l1_mode="proximal") for lam in lambdas if lam > 0)


def in_mode(configs, mode):
    """The configurations of one L1 mode along λ, starting from λ = 0 (no penalty)."""
    return [c for c in configs if c.settings["l1"] == 0 or c.settings.get("l1_mode") == mode]


def lam(c, kind):
    return f"λ={c.settings[kind]:g}"


def penalty_findings(r, kind, configs=None, prefix=Text("", "")):
    """Gap and test accuracy along the sweep, the best λ, and collapsed seeds,
    of ``configs`` (default: the experiment's), each line after ``prefix``."""
    configs = r.configs(kind) if configs is None else configs
    gaps = [f"{100 * c.gap.mean:.1f}" for c in configs]
    tests = [f"{c.test_acc.mean:.4f}" for c in configs]

    def listed(values):
        return Text(", ".join(f"{v} at {lam(c, kind)}" for v, c in zip(values, configs)),
                    ", ".join(f"{lam(c, kind)}에서 {v}" for v, c in zip(values, configs)))
    lines = [Text(f"Train-test gap in points: {listed(gaps).en}.",
                  f"학습-테스트 차이(%p): {listed(gaps).ko}."),
             Text(f"Test accuracy: {listed(tests).en}.", f"테스트 정확도: {listed(tests).ko}.")]
    none = configs[0] if configs[0].settings[kind] == 0 else None
    penalised = [c for c in configs if c.settings[kind] > 0]
    if none is not None and penalised:
        best = max(penalised, key=lambda c: c.test_acc.mean)
        change = verb(best.test_acc - none.test_acc)
        lines.append(Text(
            f"The best penalised run, {lam(best, kind)}, {change.en} compared with no penalty "
            f"({acc(best.test_acc)} vs {acc(none.test_acc)}).",
            f"정규화를 적용한 실행 중 가장 좋은 실행({lam(best, kind)})은 정규화가 없을 때에 비해 {change.ko} "
            f"({acc(best.test_acc)} 대 {acc(none.test_acc)})."))
        strongest = penalised[-1]
        without, with_it = spread_points(none.gap), spread_points(strongest.gap)
        if (strongest.gap - none.gap).verdict == "lower":
            train, test = (points(strongest.train_acc - none.train_acc),
                           points(strongest.test_acc - none.test_acc))
            lines.append(Text(
                f"The strongest penalty, {lam(strongest, kind)}, closes the gap from "
                f"{without.en} to {with_it.en}: train accuracy changed by {train.en}, test "
                f"accuracy by {test.en}.",
                f"가장 강한 정규화({lam(strongest, kind)})는 차이를 {without.ko}에서 "
                f"{with_it.ko}로 줄인다: 학습 정확도는 {train.ko}, 테스트 정확도는 {test.ko} 변했다."))
        else:
            lines.append(Text(
                f"Even the strongest penalty, {lam(strongest, kind)}, does not clearly close the "
                f"gap ({without.en} without, {with_it.en} with it).",
                f"가장 강한 정규화({lam(strongest, kind)})도 차이를 뚜렷하게 줄이지 못한다 (정규화 없이 "
                f"{without.ko}, 정규화와 함께 {with_it.ko})."))
    collapsed = [(c, int((c.train_acc.values < LEARNED).sum())) for c in configs]
    collapsed = [(c, k) for c, k in collapsed if k]
    if collapsed:
        en = ", ".join(f"{k} of {c.n} at {lam(c, kind)}" for c, k in collapsed)
        ko = ", ".join(f"{lam(c, kind)}에서 {c.n}개 중 {k}개" for c, k in collapsed)
        if any(c.settings[kind] == 0 for c, _ in collapsed):     # not the penalty's doing
            why = Text(" -- without a penalty too: these runs are too short (or their learning "
                       "rate does not fit) to learn the images at all.",
                       " -- 정규화 없이도 그렇다: 이 실행들은 이미지를 배우기에는 너무 짧다 (또는 학습률이 "
                       "맞지 않는다).")
        else:
            why = Text(" -- a penalty that strong outweighs the data loss.",
                       " -- 그만큼 강한 정규화는 데이터 손실보다 커진다.")
        lines.append(Text(
            f"Seeds that never learned to fit the training images (train accuracy below "
            f"{LEARNED:.0%}): {en}{why.en}",
            f"학습 이미지를 끝내 맞히지 못한 시드 (학습 정확도 {LEARNED:.0%} 미만): {ko}{why.ko}"))
    return [Text(prefix.en + line.en, prefix.ko + line.ko) for line in lines]


def grows_with_lambda(values):
    """True when ``values`` never decrease along the sweep and end higher."""
    values = np.asarray(values, dtype=np.float64)
    return len(values) > 1 and bool(np.all(np.diff(values) >= 0)) and values[-1] > values[0]
