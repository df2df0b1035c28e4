import torch
import torch.nn as nn
import torch.optim as optim

# pensioners' ages (feature) and what they spend (target), one sample per row
ages = torch.tensor([[65], [70], [75], [80], [85], [90], [95], [100]], dtype=torch.float32)
spendings = torch.tensor([[200], [250], [300], [350], [400], [450], [500], [550]], dtype=torch.float32)

model = nn.Sequential(
    nn.Linear(1, 1)
)

criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.001)

num_epochs = 1000
for epoch in range(num_epochs):
    optimizer.zero_grad()
    predictions = model(ages)
    loss = criterion(predictions, spendings)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 100 == 0:
        print(f"Epoch {epoch+1}/{num_epochs}, Loss: {loss.item():.4f}")

model.eval()
with torch.no_grad():
    new_age = torch.tensor([[77.0]], dtype=torch.float32)
    print("predicted spending:", model(new_age).item())
