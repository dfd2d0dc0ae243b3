"""Custom Rasa NLU components. They depend only on what Rasa's environment provides."""
