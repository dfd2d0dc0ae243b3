"""Clients and gateways for the systems frontdoor talks to: one package per outside system."""
