from fastai.basics import *

def f(x): return 3*x**2 + 2*x + 1
def quad(a, b, c, x): return a*x**2 + b*x + c
def mk_quad(a, b, c): return partial(quad, a, b, c)

def noise(x, scale): return np.random.normal(scale=scale, size=x.shape)
def add_noise(x, mult, add): return x * (1 + noise(x, mult)) + noise(x, add)

np.random.seed(42)
x = torch.linspace(-2, 2, steps=20)[:, None]
y = add_noise(f(x), 0.15, 1.5)

def mae(preds, acts): return (torch.abs(preds - acts)).mean()

def quad_mae(params):
    f = mk_quad(*params)
    return mae(f(x), y)

abc = torch.tensor([1.1, 1.1, 1.1])
abc.requires_grad_()

for i in range(40):
    loss = quad_mae(abc)
    loss.backward()
    with torch.no_grad(): abc -= abc.grad*0.01
    print(f'step={i}; loss={loss:.2f}')
