"""Client for frontdoor's SMS gateway contract (verification codes); see `client` for the API."""
