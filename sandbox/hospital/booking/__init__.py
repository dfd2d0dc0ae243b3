"""Booking in the sandbox hospital: patients (建档), appointments and the rules that govern them
(BRIEF §4: slots open 7 days ahead, cancel by the day before, 3 no-shows in 90 days block
booking for 3 months)."""
