"""gh-nfmcclure-tensorflow_cookbook-87 fixed as the issue says and the author did: the last Dense layer
returns logits (no softmax), which is what the sparse cross-entropy with logits expects.

Facts from https://github.com/nfmcclure/tensorflow_cookbook/issues/87 (written anew): the cookbook's
"Implementing an RNN for spam prediction" recipe passes tf.nn.softmax of the last RNN output's dense layer
to tf.nn.sparse_softmax_cross_entropy_with_logits; settings: messages cut to 25 words, words seen fewer
than 10 times dropped, embedding 50 initialised uniform(-1, 1), a basic RNN cell of 10 units, dropout keep
0.5, two outputs, RMSProp lr 0.0005, 20 epochs, batch 250, 80/20 split of the 5572 SMS messages (13.4 %
spam). The SMS corpus cannot be downloaded here: messages of 5-25 word ids drawn from a 600-word
vocabulary, spam drawing mostly from its own word distribution; the words fill the last slots of the
25-slot window (zero padding in front). The printed accuracy is balanced accuracy (mean of the per-class
hit rates), because "always ham" already scores 0.87.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

vocab_size, max_sequence_length, n_messages = 600, 25, 5572
is_spam = rng.random(n_messages) < 0.134
ham_words = rng.dirichlet(np.full(vocab_size - 1, 0.5))
spam_words = 0.3 * ham_words + 0.7 * rng.dirichlet(np.full(vocab_size - 1, 0.2))
messages = np.zeros((n_messages, max_sequence_length), dtype="int32")
for row in range(n_messages):
    length = rng.integers(5, max_sequence_length + 1)
    words = rng.choice(vocab_size - 1, size=length, p=spam_words if is_spam[row] else ham_words)
    messages[row, max_sequence_length - length:] = 1 + words      # 0 is the padding id
labels = (~is_spam).astype("int32")                                # 1 = ham, 0 = spam, as in the recipe
cut = int(0.8 * n_messages)
x_train, y_train, x_test, y_test = messages[:cut], labels[:cut], messages[cut:], labels[cut:]

model = keras.Sequential([
    keras.Input(shape=(max_sequence_length,), dtype="int32"),
    layers.Embedding(vocab_size, 50, embeddings_initializer=keras.initializers.RandomUniform(-1.0, 1.0)),
    layers.SimpleRNN(10),
    layers.Dropout(0.5),
    layers.Dense(2),                                               # logits
])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.0005),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=20, batch_size=250, verbose=0)
print(f"final training loss {history.history['loss'][-1]:.3f}")

predicted = model.predict(x_test, verbose=0).argmax(1)
accuracy = 0.5 * (np.mean(predicted[y_test == 1] == 1) + np.mean(predicted[y_test == 0] == 0))
print(f"plain accuracy {np.mean(predicted == y_test):.4f}")
print(f"HELDOUT accuracy={accuracy:.4f}")
