import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("CRITICALITY_PROFILE", "quick")
