#!/usr/bin/python3
"""The job of `npm run bench` done the usual Python way, for comparison: pandas.read_csv, the same
logistic-regression model as a scikit-learn LogisticRegression, then accuracy, ROC AUC and log loss
from sklearn.metrics. Run by bench/eval.mjs when python3 has pandas and scikit-learn; prints the
metrics so that the two runs can be checked against each other."""
import json
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

csv, weights, bias = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
df = pd.read_csv(csv)
X = df[[f"f{j}" for j in range(len(weights))]].to_numpy(dtype=np.float32)
y = df["y"].to_numpy()
model = LogisticRegression()
model.classes_ = np.array([0, 1])
model.coef_ = np.array([weights])
model.intercept_ = np.array([bias])
p = model.predict_proba(X)
print(json.dumps({"accuracy": accuracy_score(y, model.predict(X)), "roc_auc": roc_auc_score(y, p[:, 1]), "log_loss": log_loss(y, p)}))
