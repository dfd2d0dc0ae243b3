"""Triage in the dialogue (智能导诊): symptoms to a department and an urgency, with at most a
few follow-up questions, then straight into booking; the emergency answer for red flags."""
