"""Rules of the core that a hurried student or an attacker runs into: dtypes, modes,
containers, the upstream gradient, threads, and warnings turned into errors."""
import subprocess
import sys
import threading

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim
from tinynet.nn.once import Once
from tinynet.nn.messages import LOSS_CACHE


def small_model():
    tn.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3))


# -- Module.to and train --------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool, np.uint8, np.complex128])
def test_to_a_non_floating_dtype_is_refused_and_changes_nothing(dtype):
    model = small_model()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(TypeError, match=r"Sequential.to\(.*\): parameters must be floating-point"):
        model.to(dtype)
    after = model.state_dict()
    assert all(after[k].dtype == np.float32 and np.array_equal(after[k], before[k]) for k in before)


def test_to_something_that_is_no_dtype_is_refused():
    with pytest.raises(TypeError, match="is not a NumPy dtype"):
        small_model().to("not a dtype")


def test_to_float16_and_back_keeps_the_weights_close():
    model = small_model()
    weight = model[0].weight.data.copy()
    model.to(np.float16).float()
    np.testing.assert_allclose(model[0].weight.data, weight, atol=1e-3)
    assert model[0].weight.data.dtype == np.float32


@pytest.mark.parametrize("mode", ["no", "False", 0, 1, None, 0.0])
def test_train_requires_a_bool(mode):
    model = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5)).eval()
    with pytest.raises(TypeError, match=r"train\(mode\): mode must be True or False"):
        model.train(mode)
    assert model.training is False and model[1].training is False


def test_train_accepts_numpy_bools():
    model = small_model().train(np.bool_(False))
    assert model.training is False and type(model.training) is bool


# -- Sequential: attributes and indices are one record --------------------------
def test_setattr_and_setitem_replace_the_layer_everywhere():
    tn.manual_seed(0)
    seq = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    x = np.ones((2, 4), np.float32)
    for replace in (lambda new: setattr(seq, "0", new), lambda new: seq.__setitem__(0, new)):
        new = nn.Linear(4, 3)
        replace(new)
        assert seq[0] is new and list(seq)[0] is new and getattr(seq, "0") is new
        np.testing.assert_array_equal(seq.state_dict()["0.weight"], new.weight.data)
        np.testing.assert_array_equal(seq(x), np.maximum(x @ new.weight.data.T + new.bias.data, 0))


def test_a_new_child_attribute_joins_the_sequence_as_in_pytorch():
    seq = nn.Sequential(nn.Linear(4, 3))
    seq.extra = nn.ReLU()
    assert len(seq) == 2 and seq[1] is seq.extra
    del seq.extra
    assert len(seq) == 1


def test_slicing_a_sequential_gives_a_sequential():
    seq = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and head[0] is seq[0] and len(head) == 2
    assert isinstance(nn.ModuleList([nn.ReLU(), nn.ReLU()])[1:], nn.ModuleList)


def test_setitem_refuses_a_non_module_and_an_index_out_of_range():
    seq = nn.Sequential(nn.Linear(4, 3))
    with pytest.raises(TypeError, match="takes modules"):
        seq[0] = "relu"
    with pytest.raises(IndexError):
        seq[3] = nn.ReLU()


# -- need_dx as the signature shows it -------------------------------------------
def test_need_dx_may_be_passed_positionally_to_the_parent_backward():
    seen = []

    class Logged(nn.Linear):
        def backward(self, dout, cache, need_dx=True):
            seen.append(need_dx)
            return super().backward(dout, cache, need_dx)

    tn.manual_seed(0)
    model = nn.Sequential(Logged(4, 3), nn.ReLU(), Logged(3, 2))
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(model(np.ones((2, 4), np.float32)), np.array([0, 1]))
    model.backward(loss_fn.backward())
    assert seen == [True, False]
    layer = Logged(4, 3)
    layer(np.ones((2, 4), np.float32))
    assert layer.backward(np.ones((2, 3), np.float32), need_dx=False) is None
    assert seen[-1] is False


# -- the upstream gradient --------------------------------------------------------
def test_backward_of_a_list_says_it_is_a_list():
    model = small_model()
    out = model(np.ones((6, 4), np.float32))
    with pytest.raises(TypeError, match=r"shape \(6, 3\) and dtype float32, got a list"):
        model.backward(np.ones_like(out).tolist())


def test_a_float64_upstream_gradient_into_a_float32_model_is_refused_at_backward():
    model = small_model()
    out = model(np.ones((6, 4), np.float32))
    with pytest.raises(TypeError, match=r"got float64 .* grad.astype\(np.float32\)"):
        model.backward(np.ones(out.shape))
    assert model[0].weight.grad is None
    model.backward(np.ones_like(out))            # the tape was not used up by the refusal
    assert model[0].weight.grad.dtype == np.float32


def test_a_backward_returning_another_dtype_is_named():
    class Upcast(nn.Layer):
        def forward(self, x):
            return x * 2, None

        def backward(self, dout, cache):
            return (dout * 2).astype(np.float64)

    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), Upcast(), nn.Linear(4, 2))
    out = model(np.ones((2, 4), np.float32))
    with pytest.raises(TypeError, match="Upcast.backward returned a float64 gradient for a float32 input"):
        model.backward(np.ones_like(out))


# -- inputs that are not arrays -----------------------------------------------------
@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Dropout(0.5), nn.Sigmoid(), nn.Flatten()])
def test_a_layer_alone_on_a_list_says_it_takes_arrays(layer):
    with pytest.raises(TypeError, match=f"{type(layer).__name__} takes NumPy arrays, got a list"):
        layer([[1.0, 2.0]])


def test_a_model_on_a_list_says_it_takes_arrays():
    for context in (tn.no_grad, lambda: __import__("contextlib").nullcontext()):
        with context(), pytest.raises(TypeError, match="Sequential takes NumPy arrays, got a list"):
            nn.Sequential(nn.ReLU())([[1.0, 2.0]])


# -- float16 ------------------------------------------------------------------------
def test_dropout_and_dropconnect_work_in_float16():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5), nn.DropConnect(3, 2, 0.5)).to(np.float16)
    out = model(np.ones((5, 4), np.float16))
    model.backward(np.ones_like(out))
    assert out.dtype == np.float16
    assert all(p.grad.dtype == np.float16 for p in model.parameters())


# -- the losses' messages -------------------------------------------------------------
def test_mse_with_a_target_too_large_for_the_input_dtype_says_so():
    x = np.zeros((2, 2), np.float32)
    target = np.full((2, 2), 1e300)                 # finite, but not in float32
    with pytest.raises(ValueError, match="target holds 4 values too large for the input's float32"):
        nn.MSELoss()(x, target)


def test_mse_whose_difference_overflows_blames_the_difference_not_the_target():
    x = np.full((2, 2), -3e38, np.float32)
    target = np.full((2, 2), 3e38, np.float32)
    with pytest.raises(FloatingPointError, match=r"squared error overflowed float32 \(max \|input - target\| = 6e\+38"):
        nn.MSELoss()(x, target)


@pytest.mark.parametrize("code", [
    "nn.CrossEntropyLoss()(np.array([[np.inf, 0.0]]), np.array([0]))",
    "nn.CrossEntropyLoss()(np.array([[-np.inf, -np.inf]]), np.array([0]))",
    "nn.CrossEntropyLoss()(np.array([[3e38, -3e38]], np.float32), np.array([1]))",
    "nn.MSELoss()(np.full((2, 2), -3e38, np.float32), np.full((2, 2), 3e38, np.float32))",
    "nn.MSELoss()(np.zeros(2, np.float32), np.full(2, 1e300))",
])
def test_with_warnings_as_errors_the_user_reads_tinynets_message(code):
    script = f"import numpy as np\nfrom tinynet import nn\ntry:\n    {code}\nexcept Exception as e:\n" \
             "    print(type(e).__name__)\n"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in ("FloatingPointError", "ValueError"), proc.stdout + proc.stderr


# -- the use-once rule --------------------------------------------------------------------
def test_once_hands_a_value_over_once_and_names_each_state():
    once = Once()
    loss = nn.CrossEntropyLoss()
    with pytest.raises(RuntimeError, match="needs a forward call first"):
        once.take(loss, LOSS_CACHE)
    once.put(1)
    assert once.peek(loss, LOSS_CACHE) == 1 and once.take(loss, LOSS_CACHE) == 1
    with pytest.raises(RuntimeError, match="already called"):
        once.take(loss, LOSS_CACHE)
    once.fail()
    with pytest.raises(RuntimeError, match="raised an error"):
        once.take(loss, LOSS_CACHE)
    for _ in range(3):
        once.put(2, refuse_unused=True)
    with pytest.raises(RuntimeError, match="ambiguous"):
        once.take(loss, LOSS_CACHE)
    once.put(3, refuse_unused=True)                 # refused once, then afresh
    assert once.take(loss, LOSS_CACHE) == 3


# -- threads ---------------------------------------------------------------------------------
def _train(model, data, steps):
    loss_fn, opt = nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for i in range(steps):
        x, y = data[i % len(data)]
        losses.append(loss_fn(model(x), y))
        opt.zero_grad()
        model.backward(loss_fn.backward())
        opt.step()
        with tn.no_grad():                          # evaluation between steps, as the lab does
            model(x)
    return losses, model.state_dict()


def _models_and_data(seed):
    tn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.BatchNorm1d(16), nn.Linear(16, 3))
    rng = np.random.default_rng(seed)
    data = [(rng.normal(size=(5, 8)).astype(np.float32), rng.integers(0, 3, 5)) for _ in range(4)]
    return model, data


def test_separate_models_train_in_separate_threads_exactly_as_alone():
    steps = 40
    alone = [_train(*_models_and_data(seed), steps) for seed in (1, 2)]
    for _ in range(15):
        results, errors = [None, None], []
        jobs = [_models_and_data(seed) for seed in (1, 2)]     # the generator is shared: build first

        def work(k):
            try:
                results[k] = _train(*jobs[k], steps)
            except Exception as error:          # reported below, with the thread's message
                errors.append(error)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        for (losses, state), (ref_losses, ref_state) in zip(results, alone):
            assert losses == ref_losses
            assert all(np.array_equal(state[k], ref_state[k]) for k in ref_state)


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    inside, proceed = threading.Event(), threading.Event()

    def evaluate():
        with tn.no_grad():
            inside.set()
            proceed.wait(10)

    thread = threading.Thread(target=evaluate)
    thread.start()
    inside.wait(10)
    try:
        model = small_model()
        out = model(np.ones((2, 4), np.float32))
        model.backward(np.ones_like(out))           # recorded here although the other thread is in no_grad
        assert model[0].weight.grad is not None
    finally:
        proceed.set()
        thread.join()
