"""The MaxPool2d exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, distinct
from tinynet.text import Text

PROBLEM = Exercise(
    order=9,
    title=Text("Max pooling (MaxPool2d)", "최대 풀링 (MaxPool2d)"),
    statement=Text(
        "y = the largest entry of each window; forward saved its position arg (the first\n"
        "maximum on a tie, as in PyTorch). Derive dL/dx from dout = dL/dy: which entries of a\n"
        "window change y when they move a little, and by how much? Build dX (N, C, K, L) in\n"
        "im2col's layout, then dx = col2im(dX) puts every column back onto its window.",
        "y = 각 윈도우에서 가장 큰 항목이며, 순전파가 그 위치 arg를 저장해 두었습니다(PyTorch처럼\n"
        "같은 값이 여럿이면 첫 번째 최댓값). dout = dL/dy로부터 dL/dx를 유도하세요. 윈도우의 어느\n"
        "항목이 조금 움직일 때 y가 변하고, 얼마나 변하나요? im2col과 같은 형식의 dX (N, C, K, L)를\n"
        "만든 다음 dx = col2im(dX)로 각 열을 제 윈도우 자리에 되돌려 놓으세요."),
    missing=Text("MaxPool2d.backward is not written yet: route each window's dout, then col2im",
                 "MaxPool2d.backward(최대 풀링의 역전파)가 아직 작성되지 않았습니다: 윈도우마다 dout을 "
                 "보낼 곳을 정한 뒤 col2im하세요"),
    check=LayerCheck("MaxPool2d", build=lambda cls, rng: cls(2, stride=2, padding=1),
                     input=distinct((2, 2, 5, 5))),
)
