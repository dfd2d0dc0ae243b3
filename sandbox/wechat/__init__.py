"""Stand-ins for WeChat's side of the Official Account protocol (WeChat cannot run here)."""
