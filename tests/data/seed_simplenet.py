import torch
import torch.nn as nn
import matplotlib.pyplot as plt
import numpy as np

# Define a simple network
class SimpleNet(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, init_method='default'):
        super(SimpleNet, self).__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, hidden_size)
        self.fc3 = nn.Linear(hidden_size, output_size)
        
        # Apply initialization
        if init_method == 'xavier':
            nn.init.xavier_normal_(self.fc1.weight)
            nn.init.xavier_normal_(self.fc2.weight)
            nn.init.xavier_normal_(self.fc3.weight)
        elif init_method == 'he':
            nn.init.kaiming_normal_(self.fc1.weight)
            nn.init.kaiming_normal_(self.fc2.weight)
            nn.init.kaiming_normal_(self.fc3.weight)
        elif init_method == 'small_random':
            nn.init.normal_(self.fc1.weight, std=0.01)
            nn.init.normal_(self.fc2.weight, std=0.01)
            nn.init.normal_(self.fc3.weight, std=0.01)
        elif init_method == 'large_random':
            nn.init.normal_(self.fc1.weight, std=1.0)
            nn.init.normal_(self.fc2.weight, std=1.0)
            nn.init.normal_(self.fc3.weight, std=1.0)
    
    def forward(self, x):
        activations = []
        
        x = self.fc1(x)
        activations.append(x.detach().numpy())
        
        x = self.relu(x)
        x = self.fc2(x)
        activations.append(x.detach().numpy())
        
        x = self.relu(x)
        x = self.fc3(x)
        activations.append(x.detach().numpy())
        
        return x, activations

# Create networks with different initializations
input_size, hidden_size, output_size = 100, 100, 10
net_default = SimpleNet(input_size, hidden_size, output_size, 'default')
net_xavier = SimpleNet(input_size, hidden_size, output_size, 'xavier')
net_he = SimpleNet(input_size, hidden_size, output_size, 'he')
net_small = SimpleNet(input_size, hidden_size, output_size, 'small_random')
net_large = SimpleNet(input_size, hidden_size, output_size, 'large_random')

# Generate random input
x = torch.randn(1000, input_size)

# Forward pass through each network
with torch.no_grad():
    _, activations_default = net_default(x)
    _, activations_xavier = net_xavier(x)
    _, activations_he = net_he(x)
    _, activations_small = net_small(x)
    _, activations_large = net_large(x)

# Plot activation distributions
plt.figure(figsize=(15, 10))
init_methods = ['Default', 'Xavier', 'He', 'Small Random', 'Large Random']
activations_list = [activations_default, activations_xavier, activations_he, 
                   activations_small, activations_large]

for i, method in enumerate(init_methods):
    for j, layer_idx in enumerate([0, 2]):  # First and last layer
        plt.subplot(5, 2, i*2 + j + 1)
        plt.hist(activations_list[i][layer_idx].flatten(), bins=50, alpha=0.7)
        plt.title(f'{method} - Layer {layer_idx+1}')
        plt.xlabel('Activation Value')
        plt.ylabel('Frequency')
        
        # Add statistics
        act_mean = np.mean(activations_list[i][layer_idx])
        act_std = np.std(activations_list[i][layer_idx])
        plt.text(0.05, 0.95, f'Mean: {act_mean:.4f}\nStd: {act_std:.4f}', 
                transform=plt.gca().transAxes, verticalalignment='top')

plt.tight_layout()
plt.savefig('initialization_effects.png')
plt.close()
