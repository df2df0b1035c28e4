# The tutorial is MXNet (Symbol + Module API); lint reads Python, so this is the tutorial's program
# before the pull request in its own idiom: six hard-coded integer points, batch size 1, one
# FullyConnected unit with LinearRegressionOutput, SGD with momentum 0.9.
import mxnet as mx
import numpy as np

train_data = np.array([[1, 2], [3, 4], [5, 6], [3, 2], [7, 1], [6, 9]])
train_label = np.array([5, 11, 17, 7, 9, 24])
batch_size = 1
eval_data = np.array([[7, 2], [6, 10], [12, 2]])
eval_label = np.array([11, 26, 16])

train_iter = mx.io.NDArrayIter(train_data, train_label, batch_size, shuffle=True,
                               label_name='lin_reg_label')
eval_iter = mx.io.NDArrayIter(eval_data, eval_label, batch_size, shuffle=False)

X = mx.sym.Variable('data')
Y = mx.symbol.Variable('lin_reg_label')
fc = mx.sym.FullyConnected(data=X, name='fc1', num_hidden=1)
lro = mx.sym.LinearRegressionOutput(data=fc, label=Y, name='lro')

model = mx.mod.Module(symbol=lro, data_names=['data'], label_names=['lin_reg_label'])
model.fit(train_iter, eval_iter,
          optimizer_params={'learning_rate': 0.01, 'momentum': 0.9},
          num_epoch=50, eval_metric='mse')
print(model.predict(eval_iter).asnumpy())
