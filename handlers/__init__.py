"""Telegram handlers: the thin shell between python-telegram-bot and the core."""
