"""The Conv2d exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=8,
    title=Text("Convolution (Conv2d) through im2col", "im2col로 계산하는 합성곱 (Conv2d)"),
    statement=Text(
        "Forward writes each image's convolution as ONE matrix product over im2col's columns:\n"
        "Y[n] = Wm X[n] + b. Transposed, that is Linear's y = x W^T + b with the windows as the\n"
        "batch. Given G = dL/dy reshaped to (N, F, L), derive\n"
        "  dWm (F, K): from G and the columns X; every image and every window used the same Wm;\n"
        "  db (F,):    b was added at every position of every image;\n"
        "  dX (N, K, L), then dx (N, C, H, W) = col2im(dX): every entry of X is a copy of one\n"
        "              pixel, and a pixel covered by several windows gets the sum over its copies.\n"
        "The grader uses a 3x3 kernel, stride 2 and padding 1, so windows overlap and padding counts.",
        "순전파는 이미지마다 합성곱을 im2col의 열들에 대한 행렬 곱 하나로 계산합니다:\n"
        "Y[n] = Wm X[n] + b. 전치하면 윈도우들을 배치로 보는 Linear의 y = x W^T + b와 같습니다.\n"
        "(N, F, L) 모양으로 바꾼 G = dL/dy가 주어질 때 다음을 유도하세요.\n"
        "  dWm (F, K): G와 열 X로부터. 모든 이미지, 모든 윈도우가 같은 Wm을 썼습니다.\n"
        "  db (F,):    b는 모든 이미지의 모든 위치에 더해졌습니다.\n"
        "  dX (N, K, L), 그리고 dx (N, C, H, W) = col2im(dX): X의 각 항목은 픽셀 하나의 복사본이고,\n"
        "              여러 윈도우에 걸친 픽셀은 모든 복사본의 기울기를 더해 받습니다.\n"
        "채점기는 3x3 커널, 스트라이드 2, 패딩 1을 써서 윈도우가 겹치고 패딩도 포함되게 합니다."),
    missing=Text("Conv2d.backward is not written yet: derive dW from the columns, db, and dx through col2im",
                 "Conv2d.backward(합성곱의 역전파)가 아직 작성되지 않았습니다: 열로부터 dW, db, "
                 "그리고 col2im을 거쳐 dx를 유도하세요"),
    check=LayerCheck("Conv2d", build=lambda cls, rng: cls(2, 3, kernel_size=3, stride=2, padding=1),
                     input=normal((2, 2, 5, 5))),
)
