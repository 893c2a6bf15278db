"""Depthwise separable convolutions (MobileNet): formulas (SymPy), models, photo and benchmark.

Import the module you need (`core.separable_convolutions.formulas` needs no torch); this package
file imports nothing, so loading the formulas never loads torch.
"""
