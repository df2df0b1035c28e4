import torch
import torch.nn as nn
import numpy as np
from sklearn.model_selection import train_test_split

x = np.random.random(1000);
y = np.random.random(1000);
z = x**2 + y**2
input_data = torch.Tensor(np.transpose([x ,y]))
output_data = torch.Tensor(z)

input_training, input_validation, output_training, output_validation = train_test_split(input_data, output_data, random_state=42, test_size=0.15, shuffle=True)

class NonLinearRegression(torch.nn.Module):
    def __init__(self):
        super(NonLinearRegression, self).__init__()
        self.linear_1 = nn.Linear(in_features=2, out_features=10)
        self.act_1 = nn.ReLU()
        self.linear_2 = nn.Linear(in_features=10,out_features=5)
        self.act_2 = nn.ReLU()
        self.linear_3 = nn.Linear(in_features=5,out_features=1)

    def forward(self, x):
        x = self.linear_1(x)
        x = self.act_1(x)
        x = self.linear_2(x)
        x = self.act_2(x)
        x = self.linear_3(x)
        return x

model = NonLinearRegression()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)

for epoch in range(1000):
    optimizer.zero_grad()
    prediction = model(input_training)
    loss = criterion(prediction, output_training)
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0:
        print(epoch, loss.item())

print(model(input_validation))
