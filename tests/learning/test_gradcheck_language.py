"""Reports, hints, warnings and refusals in English, Korean or both: lang= and $TINYNET_LANG."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinynet import nn
from tinynet.gradcheck import check_function, check_layer, check_loss
from tinynet.testing import (assert_backward_leaves_dout_untouched, assert_layer_gradients, assert_loss_gradient,
                             assert_matches_torch)

from broken_layers import InPlaceReLU, LinearMeanBias

ROOT = Path(__file__).resolve().parents[2]
X = np.random.default_rng(3).normal(size=(5, 4))


def broken():
    return LinearMeanBias(4, 3).double()


def test_english_is_the_default(monkeypatch):
    monkeypatch.delenv("TINYNET_LANG", raising=False)
    result = check_layer(broken(), X)
    assert result.lang == "en" and str(result).startswith("gradcheck LinearMeanBias: FAILED for bias")
    assert "SUM over the batch" in result.hints[0].message


def test_korean_report_hint_and_verdict():
    result = check_layer(broken(), X, lang="ko")
    report = str(result)
    assert report.startswith("gradcheck LinearMeanBias: 실패 - bias (허용 오차 1e-07)")
    assert "상대 오차" in report and "힌트 [mean_not_sum]" in report and "FAILED" not in report
    [hint] = result.hints
    assert hint.kind == "mean_not_sum"                        # machine-readable kinds stay English
    assert "배치에 대한 합(SUM)" in hint.message and "평균" in hint.message
    assert result.report("en") == str(check_layer(broken(), X, lang="en"))


def test_both_languages_give_the_english_report_then_the_korean_one():
    result = check_layer(broken(), X, lang="both")
    assert str(result) == result.report("en") + "\n\n" + result.report("ko")
    assert result.hints[0].message == result.hints[0].text.en + "\n" + result.hints[0].text.ko


def test_an_ok_report_and_a_kink_warning_in_korean():
    x = np.abs(X) + 0.2
    x[0, 1] = 1e-4
    result = check_layer(nn.ReLU(), x, lang="ko")
    assert result.ok and str(result).startswith("gradcheck ReLU: 통과 (가장 큰 상대 오차")
    [warning] = result.warnings
    assert warning.kind == "kink" and "꺾인 점" in warning.message and "유한 차분" in warning.message


def test_the_environment_variable_chooses_the_language(monkeypatch):
    monkeypatch.setenv("TINYNET_LANG", "ko")
    assert check_layer(broken(), X).lang == "ko"
    assert check_layer(broken(), X, lang="en").lang == "en"             # the argument wins
    with pytest.raises(AssertionError, match="힌트 \\[mean_not_sum\\]"):
        assert_layer_gradients(broken(), X)
    monkeypatch.setenv("TINYNET_LANG", "klingon")
    with pytest.raises(ValueError, match="TINYNET_LANG must be one of en, ko, both"):
        check_layer(broken(), X)


def test_every_public_check_and_assertion_takes_lang():
    logits, labels = np.random.default_rng(4).normal(size=(4, 3)), np.array([0, 1, 2, 0])
    assert check_loss(nn.CrossEntropyLoss(), logits, labels, lang="ko").report().startswith(
        "gradcheck CrossEntropyLoss: 통과")
    assert check_function(np.sin, lambda x, dout: dout * np.cos(x), X, lang="ko").lang == "ko"
    with pytest.raises(AssertionError, match="역전파"):
        assert_loss_gradient(nn.CrossEntropyLoss(), logits, labels, dout=2.0, lang="ko",
                             h=1e-3, tolerance=1e-30)
    with pytest.raises(AssertionError, match="업스트림 기울기 dout을 제자리에서 바꾸었습니다"):
        assert_backward_leaves_dout_untouched(InPlaceReLU(), X, lang="ko")
    with pytest.raises(ValueError, match="language must be one of"):
        check_layer(nn.ReLU(), X, lang="fr")


def test_refusals_are_in_the_chosen_language():
    with pytest.raises(ValueError, match="NaN 또는 inf"):
        check_layer(nn.ReLU(), np.array([[1.0, np.nan]]), lang="ko")
    with pytest.raises(TypeError, match="layer.double\\(\\)을 호출하세요"):
        check_layer(nn.Linear(2, 2), X[:, :2], lang="ko")


def test_a_pytest_run_with_the_variable_set_prints_korean_reports(tmp_path):
    (tmp_path / "test_student.py").write_text(
        "import numpy as np, tinynet as tn\n"
        "class MyLinear(tn.nn.Linear):\n"
        "    def backward(self, dout, cache, need_dx=True):\n"
        "        self.weight.accumulate_grad(dout.T @ cache)\n"
        "        self.bias.accumulate_grad(dout.mean(axis=0))\n"
        "        return dout @ self.weight.data\n"
        "def test_my_linear():\n"
        "    x = np.random.default_rng(0).normal(size=(5, 4))\n"
        "    tn.testing.assert_layer_gradients(MyLinear(4, 3).double(), x)\n")
    env = {"PATH": "", "PYTHONPATH": str(ROOT), "TINYNET_LANG": "ko", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "gradcheck MyLinear: 실패 - bias" in proc.stdout and "힌트 [mean_not_sum]" in proc.stdout


def test_assert_matches_torch_reports_in_korean():
    torch = pytest.importorskip("torch")

    class SigmoidWithoutOneMinusY(nn.Sigmoid):
        def backward(self, dout, cache):
            return dout * cache                              # bug: y (1 - y)

    with pytest.raises(AssertionError, match=r"SigmoidWithoutOneMinusY이\(가\) PyTorch 쌍둥이 Sigmoid과\(와\) "
                                             r"다릅니다\(허용 오차 1e-10\):\n  x: 상대 오차"):
        assert_matches_torch(SigmoidWithoutOneMinusY(), torch.nn.Sigmoid(), X, lang="ko")
