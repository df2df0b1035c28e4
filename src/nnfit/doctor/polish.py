"""The end-of-training rate cut shared by repair's re-training and the patched scripts.

Every re-training (the original row included) and every NF102 patch ends with the learning rate
divided by 10 for its last 20 % of planned updates: the final iterate of Adam/SGD otherwise jitters
at the rate's scale. Measured on seed 4 (log fix, 6 init seeds): median relative error 0.2-1.8 %
without, see docs/doctor.md.
"""
POLISH_FRACTION = 0.2
POLISH_FACTOR = 0.1
