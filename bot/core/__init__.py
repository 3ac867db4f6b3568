"""Plain data and pure helpers that two or more stages need (no I/O, no Telegram)."""
