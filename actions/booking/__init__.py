"""Booking an appointment: pure parsing of what residents type, and the booking dialogue."""
