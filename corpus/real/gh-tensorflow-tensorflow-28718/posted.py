from __future__ import absolute_import, division, print_function

import tensorflow as tf
from tensorflow import keras
import tensorflow_datasets as tfds

IMG_SIZE = 160
BATCH_SIZE = 32
SHUFFLE_BUFFER_SIZE = 1000

(raw_train, raw_validation, raw_test), metadata = tfds.load(
    'cats_vs_dogs', split=list(tfds.Split.TRAIN.subsplit(weighted=(8, 1, 1))),
    with_info=True, as_supervised=True)


def format_example(image, label):
    image = tf.cast(image, tf.float32)
    image = (image / 127.5) - 1
    image = tf.image.resize(image, (IMG_SIZE, IMG_SIZE))
    return image, label


train_batches = raw_train.map(format_example).shuffle(SHUFFLE_BUFFER_SIZE).batch(BATCH_SIZE)
validation_batches = raw_validation.map(format_example).batch(BATCH_SIZE)

base_model = tf.keras.applications.MobileNetV2(input_shape=(IMG_SIZE, IMG_SIZE, 3),
                                               include_top=False, weights='imagenet')
base_model.trainable = False

global_average_layer = tf.keras.layers.GlobalAveragePooling2D()
prediction_layer = keras.layers.Dense(1)

model = tf.keras.Sequential([base_model, global_average_layer, prediction_layer])

base_learning_rate = 0.0001
model.compile(optimizer=tf.keras.optimizers.RMSprop(lr=base_learning_rate),
              loss='binary_crossentropy',
              metrics=['accuracy'])

history = model.fit(train_batches.repeat(), epochs=10, steps_per_epoch=582,
                    validation_data=validation_batches.repeat(), validation_steps=20)
