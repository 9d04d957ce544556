"""The Linear exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=1,
    title=Text("Linear layer (fully connected)", "완전 연결 계층 (Linear)"),
    statement=Text(
        "y = x W^T + b. Given G = dL/dy (N, out), derive\n"
        "  dL/dW (out, in): every row of x used the same W, so the batch adds up;\n"
        "  dL/db (out,):    b is a weight on an input that is always 1;\n"
        "  dL/dx (N, in):   the gradient passed on to the layer below.\n"
        "Add dW and db with self.weight.accumulate_grad / self.bias.accumulate_grad, return dx.\n"
        "The grader also calls one Linear twice before one backward, as a model that\n"
        "reuses a layer does: each call's gradient must add to weight.grad and bias.grad.",
        "y = x W^T + b. 출력 기울기 G = dL/dy (N, out)가 주어질 때 역전파를 유도하세요.\n"
        "  dL/dW (out, in): 배치의 모든 행이 같은 W를 쓰므로 배치 전체를 더합니다.\n"
        "  dL/db (out,):    b는 항상 1인 입력에 곱해지는 가중치입니다.\n"
        "  dL/dx (N, in):   아래 계층으로 전달되는 기울기입니다.\n"
        "dW와 db는 self.weight.accumulate_grad / self.bias.accumulate_grad로 더하고 dx를 반환하세요.\n"
        "채점기는 계층을 재사용하는 모델처럼 한 Linear를 역전파 전에 두 번 호출하기도 합니다:\n"
        "각 호출의 기울기가 weight.grad와 bias.grad에 더해져야 합니다."),
    missing=Text("Linear.backward is not written yet: derive dW, db and dx",
                 "Linear.backward(역전파)가 아직 작성되지 않았습니다: dW, db, dx를 유도하세요"),
    check=LayerCheck("Linear", build=lambda cls, rng: cls(4, 3), input=normal((5, 4))),
)
