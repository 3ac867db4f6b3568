"""nieuwsbot: a Telegram bot that pushes Dutch news about the topics you follow."""

__version__ = "0.1.0"
