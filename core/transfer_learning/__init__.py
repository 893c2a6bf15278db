"""Transfer learning: strategies, learning-rate formulas (SymPy), models, data and the lab (torch).

Import the module you need (`core.transfer_learning.formulas` and `.strategy` need no torch);
this package file imports nothing, so loading the formulas never loads torch.
"""
