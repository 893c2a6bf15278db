"""Skip connections (ResNet): formulas (SymPy), models and experiments (torch) of the first topic.

Import the module you need (`core.skip_connections.formulas` needs no torch); this package file
imports nothing, so loading the formulas never loads torch.
"""
