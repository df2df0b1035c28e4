"""Seed 3, in Keras 3: teach x**2 + 2x + 2 to a 2-neuron network (Dense(1, x**2) -> Dense(1)).

As asked: Adam(0.1), batch size 1, 999 epochs, 999 points uniform in [0, 1), MSE loss.
(The question used tf.keras; Keras 3 with the torch backend runs the same model.)
999 x 999 single-sample steps take many minutes; `nnfit doctor run` records the first 5000 updates
(--max-updates; a --train-budget in seconds only ever shortens that, up front) and diagnoses those.
Try: nnfit doctor run examples/seed3_parabola/train_parabola.py --repair
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

keras.utils.set_random_seed(0)

f = lambda x: x**2 + 2*x + 2

np.random.seed(42)
questions = np.random.rand(999)
solutions = f(questions)

model = keras.Sequential([
    keras.layers.Dense(units=1, input_shape=[1], activation=lambda x: x**2),
    keras.layers.Dense(units=1, input_shape=[1], activation=None)
])

model.compile(loss='mean_squared_error',
              optimizer=keras.optimizers.Adam(0.1))

history = model.fit(questions, solutions, epochs=999, batch_size=1, verbose=1)

np.random.seed(43)
test_questions = np.random.rand(100)
test_solutions = f(test_questions)
test_answers = model.predict(test_questions)
print("max abs error:", float(np.max(np.abs(test_answers[:, 0] - test_solutions))))
