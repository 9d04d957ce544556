"""The AvgPool2d exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=10,
    title=Text("Average pooling (AvgPool2d)", "평균 풀링 (AvgPool2d)"),
    statement=Text(
        "y = the mean of the K = kh kw entries of each window. Derive dL/dx from dout = dL/dy:\n"
        "what is the slope of a window's mean with respect to each of its entries? Build dX\n"
        "(N, C, K, L) in im2col's layout, then dx = col2im(dX). The grader uses a 3x3 kernel,\n"
        "stride 2 and padding 1: windows overlap, so a pixel gets a share from each of its windows.",
        "y = 각 윈도우에 든 K = kh kw개 항목의 평균. dout = dL/dy로부터 dL/dx를 유도하세요.\n"
        "윈도우 평균을 각 항목으로 미분하면 기울기가 얼마인가요? im2col과 같은 형식의 dX (N, C, K, L)를\n"
        "만든 다음 dx = col2im(dX)를 반환하세요. 채점기는 3x3 커널, 스트라이드 2, 패딩 1을 씁니다.\n"
        "윈도우가 겹치므로 픽셀 하나가 자기를 덮는 윈도우마다 몫을 받습니다."),
    missing=Text("AvgPool2d.backward is not written yet: give each entry of a window its share of dout, "
                 "then col2im",
                 "AvgPool2d.backward(평균 풀링의 역전파)가 아직 작성되지 않았습니다: 윈도우의 각 항목에 dout의 "
                 "몫을 나누어 준 뒤 col2im하세요"),
    check=LayerCheck("AvgPool2d", build=lambda cls, rng: cls(3, stride=2, padding=1), input=normal((2, 2, 5, 5))),
)
