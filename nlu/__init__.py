"""NLU assets for the Rasa project: training data, lookup tables, the jieba dictionary and
custom pipeline components. Everything here runs inside Rasa's own (Python 3.10) environment."""
